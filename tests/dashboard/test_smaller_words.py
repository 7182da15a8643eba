"""Small things people read: who a flow waits for, what an empty Gaps page needs next, times
with their zone."""

from datetime import UTC, datetime

import pytest
import streamlit as st

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.health import WAITING_FOR_ANALYST, WAITING_FOR_YOU, activity
from core.flows.orchestrator import MasterFlowOrchestrator
from dashboard import shown_text
from tests.dashboard.conftest import no_exceptions, texts


def test_waiting_for_you_is_said_only_to_who_can_act():
    assert activity("manual_collection", "paused") == WAITING_FOR_YOU
    assert activity("manual_collection", "paused", may_act=False) == WAITING_FOR_ANALYST
    assert activity("gap_analysis", "running", may_act=False) == "running"


def test_a_manager_reads_waiting_for_an_analyst(
    make_tenant, make_member, open_page, flow_with_gaps
):
    admin = make_tenant("admin")
    flow_id = flow_with_gaps(admin)
    manager = make_member(admin, "manager")
    flows = open_page(manager, "flows")
    no_exceptions(flows)
    assert list(flows.dataframe[0].value["Status"]) == [WAITING_FOR_ANALYST]
    flow = open_page(manager, "flow", flow_id)
    assert {m.label: m.value for m in flow.metric}["Status"] == WAITING_FOR_ANALYST
    analyst = open_page(make_member(admin, "analyst"), "flows")
    assert list(analyst.dataframe[0].value["Status"]) == [WAITING_FOR_YOU]


@pytest.mark.parametrize(
    ("steps", "says"),
    [((), "no assets selected"), (("select",), "gap analysis has not run")],
)
def test_an_empty_gaps_page_says_what_the_flow_needs_next(
    db, tenant, open_page, make_assets, steps, says
):
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Empty")
    if "select" in steps:
        [asset] = make_assets(tenant, 1)
        CollectionChildFlowService(db, tenant).execute_phase(
            flow_id, "asset_selection", {"selected_asset_ids": [str(asset.id)]}
        )
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    assert any(says in text for text in texts(app, "info"))


def test_times_carry_their_zone(monkeypatch):
    moment = datetime(2026, 12, 7, 8, 30, tzinfo=UTC)
    for zone, shown in (
        ("Europe/Berlin", "2026-12-07 09:30 CET"),
        (None, "2026-12-07 08:30 UTC"),
        ("Not/AZone", "2026-12-07 08:30 UTC"),
    ):
        monkeypatch.setattr(type(st.context), "timezone", property(lambda self, z=zone: z))
        assert shown_text.local_time(moment) == shown
