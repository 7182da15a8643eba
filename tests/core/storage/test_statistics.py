"""A bulk write refreshes the planner's statistics of its table, as the application's role."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from core.questionnaires.generation import QUESTIONNAIRES_BULK_ROWS
from core.storage.dialect import BULK_WRITE_ROWS, is_postgresql, refresh_statistics


def analyzed(db, table: str) -> int:
    query = text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = :table")
    return db.execute(query, {"table": table}).scalar_one()


def test_a_bulk_write_has_its_table_analyzed_and_a_small_one_does_not(db):
    if not is_postgresql(db):
        pytest.skip("SQLite plans without statistics")
    role = db.execute(
        text("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
    )
    assert role.scalar_one() is False  # the application's role: not the tables' owner
    before = {table: analyzed(db, table) for table in ("assets", "collection_data_gaps")}
    refresh_statistics(db, "assets", BULK_WRITE_ROWS - 1)
    refresh_statistics(db, "collection_data_gaps", BULK_WRITE_ROWS)
    db.commit()
    # The statistics collector reports a moment later; the counts only ever grow.
    db.execute(text("SELECT pg_stat_clear_snapshot()"))
    assert analyzed(db, "collection_data_gaps") == before["collection_data_gaps"] + 1
    assert analyzed(db, "assets") == before["assets"]


def test_no_other_table_is_analyzed_through_it(db):
    if not is_postgresql(db):
        pytest.skip("SQLite plans without statistics")
    with pytest.raises(DBAPIError, match="no statistics refresh for table"):
        db.execute(text("SELECT analyze_after_bulk_write('users')"))
    db.rollback()


def test_questionnaire_generation_of_many_assets_has_questionnaires_analyzed(db):
    if not is_postgresql(db):
        pytest.skip("SQLite plans without statistics")
    before = analyzed(db, "questionnaires")
    refresh_statistics(
        db, "questionnaires", QUESTIONNAIRES_BULK_ROWS, bulk_rows=QUESTIONNAIRES_BULK_ROWS
    )
    db.commit()
    db.execute(text("SELECT pg_stat_clear_snapshot()"))
    assert analyzed(db, "questionnaires") == before + 1
