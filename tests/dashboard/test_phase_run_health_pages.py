"""Phase runs on the pages: a long scan with a live heartbeat is never "may be stuck" on the
Flows page; a stalled one is Admin's incident with its one action, Run again; one whose
worker went offline says so on the Flow page at once, and its start button takes it over."""

import json
import time
import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from core.enhancement.worker_beats import WorkerBeat, worker_registry_for
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.phase_run import PhaseRun, PhaseRunStatus
from core.flows.phase_run_store import phase_run_store_for
from core.flows.state import CollectionFlowStateService
from db.models import CollectionFlow
from db.session import bind_tenant
from db.types import utcnow
from tests.dashboard.conftest import no_exceptions, texts


def flow_scanning(db, ctx, make_assets, name: str) -> tuple[str, str]:
    """A flow standing in the gap scan, unchanged for an hour; its phase-run key."""
    assets = make_assets(ctx, 2)
    flow_id = MasterFlowOrchestrator(db, ctx).create_flow(flow_name=name)
    service = CollectionChildFlowService(db, ctx)
    service.execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    key = str(service.get_by_master_flow_id(flow_id).id)
    bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
    db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
        .values(updated_at=utcnow() - timedelta(hours=1))
    )
    db.commit()
    return flow_id, key


def put_scan(engine, key: str, **changes) -> None:
    run = replace(PhaseRun.queued(("gap_analysis",), 2, None, time.time()), **changes)
    assert phase_run_store_for(engine).claim(key, run, stall_seconds=0) is None


def test_a_long_scan_with_a_live_heartbeat_is_not_marked_stuck_on_the_flows_page(
    db, engine, tenant, open_page, make_assets
):
    _, key = flow_scanning(db, tenant, make_assets, "Scanning")
    flow_scanning(db, tenant, make_assets, "Quiet")
    put_scan(engine, key, status=PhaseRunStatus.RUNNING, started_at=time.time() - 720)
    app = open_page(tenant, "flows")
    no_exceptions(app)
    table = app.dataframe[0].value
    assert dict(zip(table["Name"], table["Attention"], strict=True)) == {
        "Scanning": "",
        "Quiet": "may be stuck",
    }


def test_an_admin_runs_a_stalled_scan_again_and_the_incident_leaves(
    db, engine, make_tenant, open_page, make_assets, dispatcher, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    admin = make_tenant(role="admin")
    _, key = flow_scanning(db, admin, make_assets, "Big wave")
    put_scan(engine, key, status=PhaseRunStatus.RUNNING, heartbeat_at=time.time() - 900)
    app = open_page(admin, "admin")
    no_exceptions(app)
    incidents = app.dataframe[0].value
    assert list(incidents["Trouble"]) == ["Gap scan stalled"]
    assert list(incidents["Action"]) == ["Run again"]
    app.button(key="admin_run_again").click().run()
    no_exceptions(app)
    assert "Queued again: the gap scan of Big wave; a worker runs it." in texts(app, "success")
    [queued] = dispatcher.jobs
    assert queued["run_id"] == phase_run_store_for(engine).get(key).run_id
    assert "Nothing needs a hand" in texts(app, "success")[-1]


def test_a_scan_whose_worker_went_offline_says_so_on_the_flow_page_and_starts_again(
    db, engine, tenant, open_page, make_assets, dispatcher, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    flow_id, key = flow_scanning(db, tenant, make_assets, "Lost worker")
    now = time.time()
    worker_registry_for(engine).beat(WorkerBeat("gone-host:1", now - 120, now - 60))
    put_scan(engine, key, status=PhaseRunStatus.RUNNING, worker="gone-host:1")
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    assert "The gap scan stopped: its worker went offline. Start it again below." in texts(
        app, "warning"
    )
    # The bars on the page (the scan's, and the export panel's of a flow this big).
    [panel] = [bar for bar in panel_firsts(app) if bar.get("job")]
    assert panel["status"] == "worker offline" and not panel["live"]
    assert not any("looks stuck" in text for text in texts(app, "warning"))
    # Its heartbeat is fresh: only the worker's silence lets this start take the run over.
    app.button(key="run_gap_analysis").click().run()
    no_exceptions(app)
    [queued] = dispatcher.jobs
    assert queued["run_id"] == phase_run_store_for(engine).get(key).run_id


def test_an_admin_resumes_a_big_failed_scan_and_the_flow_page_follows_it_with_its_bar(
    db, engine, make_tenant, open_page, make_assets, dispatcher, monkeypatch
):
    monkeypatch.setattr("core.flows.phase_runs.INLINE_SCAN_LIMIT", 1)
    admin = make_tenant(role="admin")
    flow_id, key = flow_scanning(db, admin, make_assets, "Big wave")
    service = CollectionChildFlowService(db, admin)
    CollectionFlowStateService(db, admin).mark_failed(
        service.get_by_master_flow_id(flow_id), "OperationalError: the server went away"
    )
    db.commit()
    app = open_page(admin, "admin")
    no_exceptions(app)
    assert list(app.dataframe[0].value["Action"]) == ["Resume"]
    app.button(key="admin_resume").click().run()
    app.button(key="admin_resume_confirm").click().run()
    no_exceptions(app)
    assert "Resumed: the gap analysis of Big wave is queued; a worker runs it." in texts(
        app, "success"
    )
    [queued] = dispatcher.jobs
    assert queued["run_id"] == phase_run_store_for(engine).get(key).run_id

    flow_page = open_page(admin, "flow", flow_id)
    no_exceptions(flow_page)
    [panel] = [bar for bar in panel_firsts(flow_page) if bar.get("job")]
    assert panel["live"] and panel["status"] == "queued"
    assert panel["line"].startswith("Gap scan queued: 0%")
    # The run is the next step: no button starts the scan a second time meanwhile.
    assert not [button for button in flow_page.button if button.key == "run_gap_analysis"]


def panel_firsts(app) -> list[dict]:
    """What the page run hands each job panel in the browser (the scan's, the exports')."""
    return [
        json.loads(element.proto.json)["first"]
        for element in app.get("bidi_component")
        if element.proto.component_name.endswith("collection_job_panel")
    ]
