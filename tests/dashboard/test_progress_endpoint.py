"""The progress route browsers poll: a genuine pass reads its one job key; anything else is
refused alike (403, no detail), and the answers are never cached or sniffed."""

import asyncio
import json
import time
from urllib.parse import urlencode

import pytest
from starlette.requests import Request

from config.settings import get_settings
from core.enhancement.jobs import watch_job
from core.enhancement.phase_progress import watch_phase_run
from core.enhancement.progress_pass import SEND_RUN
from core.flows.phase_run import SEND_REQUESTS, PhaseRun
from core.flows.phase_run_store import phase_run_store_for
from core.kernel.errors import NotFound
from core.requests.send_runs import send_store
from core.storage.unit_of_work import engagement_uow
from dashboard import progress_endpoint
from dashboard.poll_limits import TokenBuckets
from tests.dashboard.test_job_progress import failed_job


@pytest.fixture
def secret(app_settings, monkeypatch):
    monkeypatch.setenv("SESSION_SECRET", "e" * 40)
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def fresh_buckets(monkeypatch):
    """Each test counts its own polls (the buckets live as long as the web process)."""
    monkeypatch.setattr(progress_endpoint, "by_address", TokenBuckets())
    monkeypatch.setattr(progress_endpoint, "by_pass", TokenBuckets())


def poll(token: str | None, address: str = "198.51.100.7") -> tuple[int, dict, dict]:
    query = urlencode({"token": token} if token is not None else {}).encode()
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/_progress",
        "query_string": query,
        "client": (address, 50000),
    }
    response = asyncio.run(progress_endpoint.progress(Request({**scope, "headers": []})))
    return response.status_code, json.loads(response.body), dict(response.headers)


def pass_for(ctx, flow_id: str) -> str:
    with engagement_uow(ctx) as uow:
        return watch_job(uow, flow_id)[1]


def test_a_genuine_pass_reads_the_job_as_the_panel_draws_it(
    db, engine, secret, tenant, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=2)
    failed_job(db, engine, tenant, flow_id)
    status, body, headers = poll(pass_for(tenant, flow_id))
    assert status == 200
    assert (body["figures"], body["status"], body["live"], body["ended"]) == (
        "0 / 2",
        "failed",
        False,
        True,
    )
    assert body["line"] == "Gap analysis failed: 0% · took — · 0 errors"
    assert body["tone"] == "failed"
    assert headers["content-type"] == "application/json"
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"


def test_a_flow_without_a_job_answers_no_job(secret, tenant, flow_with_gaps):
    status, body, _ = poll(pass_for(tenant, flow_with_gaps(tenant)))
    assert (status, body) == (200, {"job": None, "live": False})


@pytest.mark.parametrize("token", [None, "", "forged", "x" * 2000])
def test_no_pass_or_a_bad_one_is_refused_without_detail(secret, token):
    status, body, headers = poll(token)
    assert (status, body) == (403, {"error": "forbidden"})
    assert headers["cache-control"] == "no-store"


def test_a_pass_made_with_another_secret_is_refused(secret, tenant, flow_with_gaps, monkeypatch):
    token = pass_for(tenant, flow_with_gaps(tenant))
    monkeypatch.setenv("SESSION_SECRET", "f" * 40)
    get_settings.cache_clear()
    assert poll(token)[:2] == (403, {"error": "forbidden"})


def test_no_pass_is_issued_for_another_engagements_flow(
    secret, tenant, make_tenant, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant)
    with pytest.raises(NotFound), engagement_uow(make_tenant()) as uow:
        watch_job(uow, flow_id)


def test_a_failed_read_is_a_503_without_detail(secret, tenant, flow_with_gaps, monkeypatch):
    token = pass_for(tenant, flow_with_gaps(tenant))

    def broken(granted):
        raise ConnectionError("redis://secret-host:6379 refused")

    monkeypatch.setattr(progress_endpoint, "read_progress_by_pass", broken)
    assert poll(token)[:2] == (503, {"error": "unavailable"})


@pytest.mark.parametrize(("base", "path"), [("", "/_progress"), ("/team/", "/team/_progress")])
def test_the_route_sits_under_the_servers_base_url_path(base, path):
    from streamlit import config

    kept = config.get_option("server.baseUrlPath")
    config.set_option("server.baseUrlPath", base)
    try:
        assert progress_endpoint.path() == path
    finally:
        config.set_option("server.baseUrlPath", kept)


# Rates so low that no token comes back while a test runs: the counts, not the clock, decide.
NO_REFILL = "0.01"  # per second; a bucket holds one poll


def test_polls_beyond_one_passs_rate_are_refused_with_retry_after(
    secret, tenant, make_member, flow_with_gaps, monkeypatch
):
    monkeypatch.setenv("PROGRESS_POLLS_PER_PASS_PER_SECOND", NO_REFILL)
    get_settings.cache_clear()
    flow_id = flow_with_gaps(tenant)
    flooded = pass_for(tenant, flow_id)
    assert poll(flooded)[0] == 200
    status, body, headers = poll(flooded)
    assert (status, body) == (429, {"error": "too many requests"})
    assert int(headers["retry-after"]) >= 1
    assert headers["cache-control"] == "no-store"
    # Another person's pass, from the same address, is answered.
    assert poll(pass_for(make_member(tenant), flow_id))[0] == 200


def test_polls_beyond_one_addresss_rate_are_refused_before_the_pass_is_read(
    secret, tenant, flow_with_gaps, monkeypatch
):
    monkeypatch.setenv("PROGRESS_POLLS_PER_ADDRESS_PER_SECOND", NO_REFILL)
    get_settings.cache_clear()
    token = pass_for(tenant, flow_with_gaps(tenant))
    assert poll("forged", address="203.0.113.9")[0] == 403
    assert poll(token, address="203.0.113.9")[0] == 429
    assert poll(token, address="192.0.2.44")[0] == 200


def test_a_phase_run_pass_reads_the_flows_phase_run_and_a_job_pass_its_job(
    db, secret, tenant, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=2)
    with engagement_uow(tenant) as uow:
        key = str(uow.flow(flow_id).id)
        store = phase_run_store_for(uow.session.get_bind().engine)
        run_pass = watch_phase_run(uow, flow_id)[1]
    run = PhaseRun.queued(("questionnaire_generation",), 2, None, time.time())
    assert store.claim(key, run, stall_seconds=60) is None
    status, body, _ = poll(run_pass)
    assert status == 200 and body["job"] == run.run_id and body["live"]
    assert body["line"].startswith("Questionnaire generation queued: 0%")
    assert poll(pass_for(tenant, flow_id))[1] == {"job": None, "live": False}


def test_a_send_run_pass_reads_the_flows_send_run_in_owners_and_nothing_else(
    db, secret, tenant, flow_with_gaps
):
    flow_id = flow_with_gaps(tenant, count=2)
    with engagement_uow(tenant) as uow:
        key = str(uow.flow(flow_id).id)
        store = send_store(uow.session.get_bind().engine)
        send_pass = watch_phase_run(uow, flow_id, kind=SEND_RUN)[1]
        phase_pass = watch_phase_run(uow, flow_id)[1]
    run = PhaseRun.queued((SEND_REQUESTS,), 0, None, time.time())
    assert store.claim(key, run, stall_seconds=60) is None
    assert store.update_if_current(key, run.with_changes(time.time(), done=500, total=1200))
    status, body, _ = poll(send_pass)
    assert status == 200 and body["job"] == run.run_id and body["live"]
    assert body["figures"] == "500 / 1,200 owners"
    assert body["line"].startswith("Sending of requests queued: 42%")
    assert poll(phase_pass)[1] == {"job": None, "live": False}  # the flow's phase runs: none
