"""Every value says where it came from; an import does not silently replace an answer."""

import pytest
from sqlalchemy import func, select, text

from core.flows import reads as flows
from core.flows.child_flow_service import CollectionChildFlowService
from core.inventory.importer import import_assets
from core.inventory.provenance import sources_of
from core.questionnaires.answers import save_answers
from core.storage.value_sources import NEWEST_IMPORT_WINS, SourceKind, ValueSource
from db.models import Asset, AssetValueSource, Engagement
from db.session import bind_tenant
from tests.core.inventory_files import to_csv
from tests.factories import flow_in_manual_collection, in_uow

pytestmark = pytest.mark.both_backends

HEADER = ["Name", "Type", "Environment", "Owner"]


def stored(db, name):
    db.expire_all()
    return db.scalars(select(Asset).where(Asset.name == name)).one()


def sources(db, ctx, asset):
    with_uow = in_uow(db, ctx, lambda uow: sources_of(uow).for_assets([asset.id]))
    return {field: source for (_, field), source in with_uow.items()}


def answer_owner(db, ctx, asset, owner: str) -> str:
    """An owner answers the business owner question and the answers are validated."""
    flow_id = flow_in_manual_collection(db, ctx, [asset])
    questionnaire = in_uow(db, ctx, flows.list_questionnaires, flow_id)[0]
    question = next(q for q in questionnaire.questions if q["field_name"] == "business_owner")
    in_uow(db, ctx, save_answers, flow_id, str(questionnaire.id), {question["id"]: owner})
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
    service.execute_phase(flow_id, "data_validation")
    return flow_id


def test_an_import_records_the_file_and_row_of_each_value(db, tenant):
    content = to_csv(
        HEADER, [["web-01", "server", "production", ""], ["web-02", "server", "test", "Ada"]]
    )
    in_uow(db, tenant, import_assets, content, "cmdb.csv")

    second = sources(db, tenant, stored(db, "web-02"))
    assert second["environment"].kind is SourceKind.IMPORT
    assert second["environment"].detail == "cmdb.csv row 3"
    assert (second["environment"].file, second["environment"].row) == ("cmdb.csv", 3)
    assert second["environment"].recorded_by == tenant.user_id
    assert second["business_owner"].detail == "cmdb.csv row 3"
    assert "business_owner" not in sources(db, tenant, stored(db, "web-01"))  # empty cell


def test_a_later_import_keeps_an_owners_answer_and_reports_the_conflict(db, tenant):
    in_uow(
        db,
        tenant,
        import_assets,
        to_csv(HEADER, [["web-01", "server", "production", ""]]),
        "first.csv",
    )
    asset = stored(db, "web-01")
    answer_owner(db, tenant, asset, "Noor Haddad")
    assert stored(db, "web-01").business_owner == "Noor Haddad"
    answered = sources(db, tenant, asset)["business_owner"]
    assert answered.kind is SourceKind.ANSWER and answered.recorded_by == tenant.user_id

    report = in_uow(
        db, tenant, import_assets,
        to_csv(HEADER, [["web-01", "server", "test", "Tom Becker"]]), "second.csv",
    )  # fmt: skip

    assert stored(db, "web-01").business_owner == "Noor Haddad"
    assert stored(db, "web-01").environment == "test"  # what nobody answered follows the file
    assert report.conflicts == [
        {
            "row": 2,
            "asset": "web-01",
            "field": "business_owner",
            "kept": "Noor Haddad",
            "in_file": "Tom Becker",
            "source": answered.describe(),
        }  # fmt: skip
    ]
    now = sources(db, tenant, asset)
    assert now["business_owner"].kind is SourceKind.ANSWER
    assert now["environment"].detail == "second.csv row 2"


def test_where_the_newest_import_wins_it_replaces_an_answer_and_reports_it(db, tenant):
    db.get(Engagement, tenant.engagement_id).import_precedence = NEWEST_IMPORT_WINS
    db.commit()
    in_uow(
        db, tenant, import_assets, to_csv(HEADER, [["web-01", "server", "production", ""]]), "a.csv"
    )
    asset = stored(db, "web-01")
    answer_owner(db, tenant, asset, "Noor Haddad")
    answered = sources(db, tenant, asset)["business_owner"]

    report = in_uow(
        db, tenant, import_assets,
        to_csv(HEADER, [["web-01", "server", "production", "Tom Becker"]]), "b.csv",
    )  # fmt: skip

    assert stored(db, "web-01").business_owner == "Tom Becker"
    assert report.conflicts == []
    assert report.replaced == [
        {
            "row": 2,
            "asset": "web-01",
            "field": "business_owner",
            "replaced": "Noor Haddad",
            "in_file": "Tom Becker",
            "source": answered.describe(),
        }  # fmt: skip
    ]
    now = sources(db, tenant, asset)["business_owner"]
    assert (now.kind, now.file, now.row) == (SourceKind.IMPORT, "b.csv", 2)


def test_the_same_value_in_a_later_import_is_no_conflict(db, tenant):
    in_uow(
        db, tenant, import_assets, to_csv(HEADER, [["web-01", "server", "production", ""]]), "a.csv"
    )
    answer_owner(db, tenant, stored(db, "web-01"), "Noor Haddad")
    report = in_uow(
        db,
        tenant,
        import_assets,
        to_csv(HEADER, [["web-01", "server", "production", "Noor Haddad"]]),
        "b.csv",
    )
    assert report.conflicts == [] and report.unchanged == 1


def test_sources_of_another_tenant_are_not_seen(db, make_tenant, backend):
    mine, theirs = make_tenant(), make_tenant()
    for ctx in (mine, theirs):
        in_uow(
            db,
            ctx,
            import_assets,
            to_csv(HEADER, [["web-01", "server", "production", "Ada"]]),
            "x.csv",
        )
        asset = db.scalars(select(Asset).where(Asset.client_account_id == ctx.client_account_id))
        answer = ValueSource(asset.one().id, "environment", SourceKind.ANSWER, "asked")
        in_uow(db, ctx, lambda uow, answer=answer: sources_of(uow).record([answer]))
    their_asset = db.scalars(
        select(Asset).where(Asset.client_account_id == theirs.client_account_id)
    ).one()
    assert in_uow(db, mine, lambda uow: sources_of(uow).for_assets([their_asset.id])) == {}
    if backend == "postgresql":  # row-level security, even for a query that forgets the tenant
        db.commit()
        bind_tenant(db, mine.client_account_id, mine.engagement_id)
        origins = select(Asset.client_account_id).where(Asset.import_file.is_not(None))
        assert set(db.scalars(origins)) == {mine.client_account_id}
        seen = {row.client_account_id for row in db.scalars(select(AssetValueSource))}
        assert seen == {mine.client_account_id}
        forced = db.scalar(
            text(
                "SELECT relrowsecurity AND relforcerowsecurity FROM pg_class"
                " WHERE relname = 'asset_value_sources'"
            )
        )
        assert forced is True
    else:
        pytest.skip("row-level security is PostgreSQL's")


def test_the_sources_export_carries_each_values_source(db, tenant):
    import csv
    import io

    from core.inventory.export import export_flow

    in_uow(
        db, tenant, import_assets, to_csv(HEADER, [["web-01", "server", "production", ""]]), "a.csv"
    )
    asset = stored(db, "web-01")
    flow_id = answer_owner(db, tenant, asset, "Noor Haddad")
    content = in_uow(db, tenant, export_flow, flow_id, "sources", "csv")
    rows = {row["Field"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    assert rows["Environment"]["Source"] == "Imported"
    assert rows["Environment"]["Source detail"] == "a.csv row 2"
    assert (rows["Environment"]["File"], rows["Environment"]["Row"]) == ("a.csv", "2")
    assert rows["Business owner"]["File"] == ""
    assert rows["Business owner"]["Source"] == "Answered"
    assert rows["Business owner"]["Value"] == "Noor Haddad"
    assert "Confidence" in rows["Business owner"]


def test_a_later_file_without_a_column_leaves_that_columns_source_as_it_was(db, tenant):
    in_uow(db, tenant, import_assets, to_csv(HEADER, [["web-01", "server", "production", "Ada"]]), "a.csv")  # fmt: skip
    in_uow(
        db, tenant, import_assets,
        to_csv(["Name", "Type", "Environment"], [["", "", ""], ["web-01", "server", "test"]]),
        "b.csv",
    )  # fmt: skip

    now = sources(db, tenant, stored(db, "web-01"))
    assert (now["environment"].file, now["environment"].row) == ("b.csv", 3)
    assert (now["business_owner"].file, now["business_owner"].row) == ("a.csv", 2)
    assert now["business_owner"].recorded_by == tenant.user_id


def test_an_import_keeps_its_sources_on_the_assets_not_in_a_row_per_value(db, tenant):
    rows = [[f"web-{n:02d}", "server", "production", "Ada"] for n in range(5)]
    in_uow(db, tenant, import_assets, to_csv(HEADER, rows), "cmdb.csv")

    assert db.scalar(select(func.count()).select_from(AssetValueSource)) == 0
    asset = stored(db, "web-03")
    assert (asset.import_file, asset.import_row) == ("cmdb.csv", 5)
    assert set(sources(db, tenant, asset)) == {"name", "environment", "business_owner"}
