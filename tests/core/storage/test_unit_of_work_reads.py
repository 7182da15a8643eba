"""On the embedded SQLite (one writer), work whose first check is to view reads a snapshot: it
goes on while a long phase holds the write lock and sees what was committed; work that changes
takes the write lock as it begins, as before."""

import pytest
from sqlalchemy import event, update

from core.flows.orchestrator import create_flow
from core.flows.reads import list_flows
from db.models import CollectionFlow
from tests.factories import in_uow

pytestmark = [
    pytest.mark.both_backends,
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]


def test_a_page_read_goes_on_while_a_long_phase_holds_the_write_lock(
    db, engine, session_maker, tenant
):
    in_uow(db, tenant, create_flow, "Committed")
    with engine.connect() as phase, phase.begin():  # BEGIN IMMEDIATE, as a scan's batch
        phase.execute(update(CollectionFlow).values(flow_name="Not committed yet"))
        with session_maker() as page:
            flows = in_uow(page, tenant, list_flows)
        assert [flow.flow_name for flow in flows] == ["Committed"]


def test_only_work_that_views_first_begins_without_the_write_lock(engine, session_maker, tenant):
    begun: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def record(_connection, _cursor, statement, *_args) -> None:
        if statement.startswith("BEGIN"):
            begun.append(statement)

    try:
        with session_maker() as page:
            in_uow(page, tenant, create_flow, "Wave 3")
            in_uow(page, tenant, list_flows)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert begun == ["BEGIN IMMEDIATE", "BEGIN"]
