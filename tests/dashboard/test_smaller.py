"""Smaller things people noticed: labels that read right, confirmations, what shows first."""

from sqlalchemy import select

from core.flows.child_flow_service import CollectionChildFlowService
from db.models import Asset
from tests.dashboard.conftest import ONE_ASSET, no_exceptions, read, texts


def test_an_unknown_column_is_said_to_be_kept_not_dropped(uow_of, tenant, open_page):
    app = open_page(tenant, "data")
    csv = b"Hostname,OS,Rack position\nweb-01,Linux,R12\n"
    app = app.file_uploader(key="import_file").set_value(("cmdb.csv", csv, "text/csv")).run()
    no_exceptions(app)
    shown = [element.value for element in app.text]
    assert "Kept as custom attributes (no matching field): Rack position" in shown
    assert not any("Not imported" in text for text in shown)
    app.button(key="import_run").click().run()
    no_exceptions(app)
    with uow_of(tenant) as uow:
        [asset] = uow.session.scalars(select(Asset)).all()
    assert "R12" in asset.custom_attributes.values()


def test_required_reads_as_a_note_not_a_bullet(db, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=1)
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "questionnaire_generation")
    app = open_page(tenant, "questionnaires", flow_id, **ONE_ASSET)
    no_exceptions(app)
    note = next(c.value for c in app.caption if "required" in read(c.value))
    assert read(note) == "* required (critical attributes)"
    assert "<li>" not in read(note) and not note.startswith("* ")


def test_priority_reads_the_same_in_the_table_the_counts_and_the_filter(
    tenant, open_page, flow_with_gaps
):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    no_exceptions(app)
    priorities = set(app.dataframe[0].value["Priority"])
    assert priorities and priorities <= {"Critical (P1)", "High (P2)", "Medium (P3)", "Low (P4)"}
    assert "Critical (P1)" in [metric.label for metric in app.metric]
    box = app.multiselect(key="gf_prio")
    assert box.options == ["Critical (P1)", "High (P2)", "Medium (P3)", "Low (P4)"]
    box.select(1).run()
    no_exceptions(app)
    assert set(app.dataframe[0].value["Priority"]) == {"Critical (P1)"}


def test_after_analyze_the_message_and_progress_come_before_the_table(
    tenant, open_page, flow_with_gaps
):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    app.session_state[app.session_state["gaps_table_key"]] = {
        "selection": {"rows": [0], "columns": [], "cells": []}
    }
    app.run()
    app.button(key="gaps_submit").click().run()
    no_exceptions(app)
    order = [type(node).__name__ for node in _walk(app.main)]
    assert order.index("Success") < order.index("Dataframe"), order
    assert texts(app, "success")[0].startswith("Gap analysis enqueued (1 gap")


def _walk(node):
    """Every element under `node`, in the order the page draws them."""
    for child in getattr(node, "children", {}).values():
        yield child
        yield from _walk(child)
