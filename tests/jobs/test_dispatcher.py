"""Core finds its queue by itself: nobody has to import jobs/ before submitting work."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import get_settings
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.kernel.dispatch import get_dispatcher, load_dispatcher, set_dispatcher
from core.kernel.errors import ServiceUnavailable
from jobs.huey_app import make_huey
from jobs.tasks import register_tasks

ROOT = Path(__file__).parents[2]

# A script as someone might write one: core and db, and nothing of jobs/ or the dashboard.
SCRIPT = """
import json, sys
from core.enhancement.jobs import submit_gap_analysis
from core.kernel.context import RequestContext
from db.session import open_session

client_account_id, engagement_id, user_id, signed_in, flow_id, gaps = sys.argv[1:]
ctx = RequestContext(client_account_id, engagement_id, user_id=user_id, sign_in_session_id=signed_in)
before = sorted(name for name in sys.modules if name.split(".")[0] in ("jobs", "dashboard"))
with open_session() as db:
    answer = submit_gap_analysis(db, ctx, flow_id, json.loads(gaps))
print(json.dumps({"answer": answer, "imported_before": before}))
"""


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_a_script_importing_only_core_and_db_gets_its_job_queued(
    db, tenant, make_assets, app_settings, tmp_path
):
    app_settings(HUEY_SQLITE_PATH=str(tmp_path / "huey.db"))  # the embedded default
    assets = make_assets(tenant, 2, business_owner=None)
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name="From a script")
    CollectionChildFlowService(db, tenant).execute_phase(
        flow_id, "asset_selection", {"selected_asset_ids": [str(a.id) for a in assets]}
    )
    gaps = [
        {"field_name": "business_owner", "gap_type": "missing", "asset_id": str(a.id)}
        for a in assets
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("JOB_DISPATCHER", None)
    ids = [
        str(tenant.client_account_id),
        str(tenant.engagement_id),
        str(tenant.user_id),
        str(tenant.sign_in_session_id),
    ]
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT, *ids, flow_id, json.dumps(gaps)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    printed = json.loads(finished.stdout)
    assert printed["imported_before"] == []
    assert printed["answer"]["status"] == "accepted"

    queue = make_huey(get_settings())
    register_tasks(queue)  # to read the task back; the script registered nothing itself
    [task] = queue.pending()
    assert task.name == "gap_enhancement_worker"
    assert task.kwargs["job_id"] == printed["answer"]["job_id"]
    assert task.kwargs["selected_gaps"] == [{**gap, "asset_name": None} for gap in gaps]


def test_the_dispatcher_is_the_configured_one_until_another_is_set(monkeypatch):
    set_dispatcher(None)
    monkeypatch.setenv("JOB_DISPATCHER", "jobs.huey_app:dispatcher")
    get_settings.cache_clear()
    try:
        import jobs.huey_app

        assert get_dispatcher() is jobs.huey_app.dispatcher
        replacement = object()
        set_dispatcher(replacement)  # type: ignore[arg-type]
        assert get_dispatcher() is replacement
    finally:
        set_dispatcher(None)
        get_settings.cache_clear()


@pytest.mark.parametrize("address", ["jobs.nowhere:dispatcher", "jobs.huey_app:nothing", "x"])
def test_a_dispatcher_that_cannot_be_loaded_is_a_503(address):
    with pytest.raises(ServiceUnavailable, match="JOB_DISPATCHER"):
        load_dispatcher(address)
