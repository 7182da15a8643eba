"""Gap jobs on the pages: the progress panel, its retry, the admin's job list, a stuck flow."""

import re
import time
import uuid
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.enhancement.jobs import reset_gap_job, retry_gap_analysis, submit_gap_analysis
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.context import RequestContext
from core.storage.unit_of_work import engagement_uow
from db.models import CollectionFlow
from db.session import bind_tenant
from db.types import utcnow
from tests.dashboard.conftest import job_panel, no_exceptions, read, texts

GAP = {"field_name": "business_owner", "gap_type": "invalid"}


def panel(app) -> tuple[str, str]:
    """The progress panel as the page run draws it: the Processed figure, the line on its bar."""
    first = job_panel(app)["first"]
    return first["figures"], first["line"]


def failed_job(db, engine, ctx: RequestContext, flow_id: str) -> str:
    """Submit the flow's gaps, then record the job as failed (as a worker would)."""
    flow = CollectionChildFlowService(db, ctx).get_by_master_flow_id(flow_id)
    asset_ids = flow.collection_config["selected_asset_ids"]
    submit_gap_analysis(db, ctx, flow_id, [{**GAP, "asset_id": a} for a in asset_ids])
    key = str(flow.id)
    db.rollback()
    store = job_store_for(engine)
    state = store.get(key)
    assert store.update_if_current(key, replace(state, status=JobStatus.FAILED), ["status"])
    store.delete(key, job_id="keep-the-job-drop-the-rate-limit")
    return key


def test_a_failed_job_is_shown_with_a_retry_button(db, engine, tenant, open_page, flow_with_gaps):
    flow_id = flow_with_gaps(tenant, count=2)
    failed_job(db, engine, tenant, flow_id)
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    assert any("The job failed" in text for text in texts(app, "warning"))
    processed, line = panel(app)
    assert processed == "0 / 2"
    # An ended job's clocks have stopped: no ETA, no heartbeat's age.
    assert line == "Gap analysis failed: 0% · took — · 0 errors"
    assert app.button(key="retry_gap_job").label == "Retry"
    app.button(key="retry_gap_job").click().run()
    no_exceptions(app)
    # The retry reruns the page: the job is queued again and the panel follows it.
    assert job_panel(app)["first"]["status"] == "queued"
    assert not any("The job failed" in text for text in texts(app, "warning"))


def test_no_job_yet_says_so(tenant, open_page, flow_with_gaps):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    no_exceptions(app)
    assert any("No gap job for this flow yet" in text for text in texts(app, "caption"))


def test_an_admin_sees_a_failed_job_as_an_incident_with_its_one_action(
    db, engine, make_tenant, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    failed_job(db, engine, admin, flow_with_gaps(admin, name="Failing wave"))
    flow_with_gaps(admin, name="Questionnaires to build")  # waits for a person
    app = open_page(admin, "admin")
    no_exceptions(app)
    incidents, jobs = (frame.value for frame in app.dataframe[:2])
    # A flow waiting for people is no incident; the failed job is, with Retry job alone.
    assert list(incidents["Flow"]) == ["Failing wave"]
    assert (list(incidents["Trouble"]), list(incidents["Action"])) == (
        ["Job failed"],
        ["Retry job"],
    )
    assert (list(jobs["Flow"]), list(jobs["Status"])) == (["Failing wave"], ["Failed"])
    assert [button.label for button in app.button if button.key.startswith("admin_")] == [
        "Retry job"
    ]
    # No worker reports here: the page says so.
    assert any("No worker is running" in text for text in texts(app, "error"))


def test_an_admin_retries_a_failed_job(db, engine, make_tenant, open_page, flow_with_gaps):
    admin = make_tenant(role="admin")
    key = failed_job(db, engine, admin, flow_with_gaps(admin, count=2))
    app = open_page(admin, "admin")
    app.button(key="admin_retry").click().run()
    no_exceptions(app)
    assert "Retried: Gap analysis enqueued (2 gaps)." in texts(app, "success")
    assert job_store_for(engine).get(key).status is JobStatus.QUEUED
    # Retried, the job is no incident any more; it is followed in the jobs table.
    assert "Nothing needs a hand" in texts(app, "success")[-1]


def test_a_manager_sees_the_job_throughput(
    db, engine, make_tenant, make_member, open_page, flow_with_gaps
):
    analyst = make_tenant()
    failed_job(db, engine, analyst, flow_with_gaps(analyst))
    manager = make_member(analyst, "manager")
    app = open_page(manager, "overview")
    no_exceptions(app)
    assert not any("No gap job has run" in text for text in texts(app, "info"))


def test_a_running_flow_without_a_live_job_is_said_to_be_stuck(db, tenant, open_page, make_assets):
    assets = make_assets(tenant, 2)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="Quiet")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    bind_tenant(db, tenant.client_account_id, tenant.engagement_id)
    db.execute(
        update(CollectionFlow)
        .where(CollectionFlow.flow_id == uuid.UUID(flow_id))
        .values(updated_at=utcnow() - timedelta(hours=1))
    )
    db.commit()
    app = open_page(tenant, "flow", flow_id)
    no_exceptions(app)
    assert any("looks stuck" in text for text in texts(app, "warning"))


def test_after_a_retry_the_panel_counts_the_whole_job(
    db, engine, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=3)
    key = failed_job(db, engine, tenant, flow_id)
    store = job_store_for(engine)
    # The failed attempt had done two of the three gaps in 4 s.
    failed = replace(store.get(key), processed=2, started_at=time.time() - 5)
    failed = replace(failed, heartbeat_at=failed.started_at + 4)
    assert store.update_if_current(key, failed, ["processed", "started_at", "heartbeat_at"])
    with engagement_uow(tenant, db) as uow:
        retry_gap_analysis(uow, flow_id)
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    # 2 of 3, not the retry's 0 of 1.
    processed, line = panel(app)
    assert processed == "2 / 3"
    # Queued again: no clock until a worker takes it.
    assert line == "Gap analysis queued: 67% · waiting for a worker · retried 1×"
    [jobs] = [frame.value for frame in app.dataframe if "Heartbeat" in frame.value]
    assert list(jobs["Gaps"]) == ["2 / 3"] and list(jobs["Retries"]) == [1]
    assert list(jobs["Status"]) == ["Queued"]
    # The failed try is kept under the job, and the retry waits as its next try.
    [tries] = [element for element in app.expander if element.label == "Tries of 1 job"]
    _, failed_try, retry_try = (read(element.value) for element in tries.markdown)
    assert failed_try.startswith("Try 1 by member-")
    assert failed_try.endswith("): failed, 2 of 3 gaps in 4 s")
    assert retry_try.startswith("Try 2 by member-")
    assert retry_try.endswith("): waiting for a worker, 0 of 1 gap")


def test_a_running_job_shows_elapsed_time_an_eta_and_its_heartbeat(
    db, engine, tenant, open_page, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=4)
    key = failed_job(db, engine, tenant, flow_id)
    store = job_store_for(engine)
    now = time.time()
    # Running for 30 s, one gap every 10 s: 3 done, 1 left, 10 s to go.
    running = replace(
        store.get(key), status=JobStatus.RUNNING, processed=3, started_at=now - 30, heartbeat_at=now
    )
    assert store.update_if_current(
        key, running, ["status", "processed", "started_at", "heartbeat_at"]
    )
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    processed, line = panel(app)
    assert processed == "3 / 4"
    # Read a moment later than `now`: a little more elapsed, the ETA a third of that longer.
    assert re.fullmatch(
        r"Gap analysis running: \d+% · elapsed 3\d s · ETA 1[01] s · 0 errors"
        r" · last heartbeat (just now|\d+ s ago)",
        line,
    )


def test_the_admin_sees_every_job_not_only_the_last_per_flow(
    db, engine, make_tenant, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    flow_id = flow_with_gaps(admin, count=2, name="Twice")
    key = failed_job(db, engine, admin, flow_id)
    with engagement_uow(admin, db) as uow:
        reset_gap_job(uow, flow_id)
    failed_job(db, engine, admin, flow_id)
    app = open_page(admin, "admin")
    no_exceptions(app)
    [jobs] = [frame.value for frame in app.dataframe if "Heartbeat" in frame.value]
    assert list(jobs["Flow"]) == ["Twice", "Twice"]
    assert list(jobs["Status"]) == ["Failed", "Reset by an admin"]
    assert job_store_for(engine).get(key).status is JobStatus.FAILED


def test_the_browser_polls_at_the_chosen_interval_with_a_pass_for_this_flow(
    db, engine, tenant, open_page, flow_with_gaps
):
    from core.enhancement import progress_pass

    flow_id = flow_with_gaps(tenant, count=2)
    key = failed_job(db, engine, tenant, flow_id)
    store = job_store_for(engine)
    running = replace(store.get(key), status=JobStatus.RUNNING, heartbeat_at=time.time())
    assert store.update_if_current(key, running, ["status", "heartbeat_at"])
    app = open_page(tenant, "gaps", flow_id)
    no_exceptions(app)
    shown = job_panel(app)
    assert (shown["every"], shown["idle_every"], shown["endpoint"]) == (2, 15, "/_progress")
    assert shown["first"]["live"] and shown["first"]["figures"] == "0 / 2"
    granted = progress_pass.read(shown["token"])
    assert granted is not None
    assert (granted.job_key, granted.flow_id) == (key, flow_id)
    assert granted.engagement_id == str(tenant.engagement_id)
    app.segmented_control(key="poll_seconds").set_value("Off").run()
    assert job_panel(app)["every"] == 0  # Off: the panel shows the page run's read and stops


def test_without_a_job_the_panel_says_so_and_looks_for_one_slowly(
    tenant, open_page, flow_with_gaps
):
    app = open_page(tenant, "gaps", flow_with_gaps(tenant))
    no_exceptions(app)
    shown = job_panel(app)
    assert shown["first"] == {"job": None, "live": False}
    assert (shown["every"], shown["idle_every"]) == (2, 15)
