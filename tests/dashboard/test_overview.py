"""The Overview answers a manager: progress per engagement, what needs a hand, gaps, pace."""

import base64
import json
from dataclasses import replace

import numpy as np

from core.access.identity import SignedInUser
from core.enhancement.job_history import record_attempt_ended
from core.enhancement.job_state import JobStatus
from core.enhancement.job_stores import job_store_for
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.state import CollectionFlowStateService
from core.storage.unit_of_work import engagement_uow
from dashboard import state
from dashboard.palette import ENGAGEMENT_COLOURS, PHASE_COLOURS, PRIORITY_COLOURS
from db.models import ClientAccount, Membership
from tests.dashboard.conftest import no_exceptions, texts
from tests.dashboard.test_job_progress import failed_job


def values(data) -> list:
    """A trace's values as plotly sends them: a list, or numbers packed as base64."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"]).tolist()
    return list(data)


def spec_of(app, key: str) -> dict:
    [chart] = [chart for chart in app.get("plotly_chart") if chart.proto.id.endswith(key)]
    return json.loads(chart.proto.spec)


def two_engagements(db, make_tenant, make_member, flow_with_gaps):
    """A manager of two clients' engagements, each with a flow called 'Wave 1'."""
    first, second = make_tenant(role="admin"), make_tenant(role="admin")
    flows = [flow_with_gaps(ctx, name="Wave 1") for ctx in (first, second)]
    manager = make_member(first, "manager")
    db.add(
        Membership(
            user_id=manager.user_id,
            client_account_id=second.client_account_id,
            engagement_id=second.engagement_id,
            role="manager",
        )
    )
    db.commit()
    names = [db.get(ClientAccount, ctx.client_account_id).name for ctx in (first, second)]
    db.rollback()  # ends the read: on SQLite an open transaction holds the app's write lock
    return (manager, second), flows, [f"{name} / Wave 1" for name in names]


def open_both(open_page, manager, labels):
    user = SignedInUser(manager.user_id, "mo@example.test", "Mo")
    app = open_page(manager, "overview", **{state.USER: user})
    no_exceptions(app)
    app.multiselect(key="ov_eng").set_value(labels).run()
    no_exceptions(app)
    return app


def test_the_overview_answers_how_far_and_which_gaps_dominate(
    db, make_tenant, make_member, open_page, flow_with_gaps
):
    (manager, _), _flows, labels = two_engagements(db, make_tenant, make_member, flow_with_gaps)
    app = open_both(open_page, manager, labels)
    assert [metric.value for metric in app.metric][:4] == ["2", "0", "0", "18"]
    assert texts(app, "success") == ["Nothing is failed or stuck."]

    progress = spec_of(app, "ov_progress")
    # Stacked by phase in phase order, each phase in its one colour, in people's words.
    assert [trace["name"] for trace in progress["data"]] == ["Questionnaire generation"]
    assert progress["data"][0]["marker"]["color"] == PHASE_COLOURS["questionnaire_generation"]
    assert (progress["layout"]["xaxis"]["dtick"], progress["layout"]["xaxis"]["tickformat"]) == (
        1,
        "d",
    )
    assert progress["layout"]["legend"]["orientation"] == "h"

    completeness = spec_of(app, "ov_completeness")
    flows = [label for trace in completeness["data"] for label in trace["y"]]
    shown = sorted(label.replace("<br>", " ") for label in flows)  # long names wrap
    assert shown == sorted(f"Wave 1 · {label}" for label in labels)  # not merged
    assert completeness["layout"]["xaxis"]["range"][1] > 1  # a full bar is not cut

    gaps = spec_of(app, "ov_gaps")
    colours = {trace["name"]: trace["marker"]["color"] for trace in gaps["data"]}
    assert colours["P1 critical"] == PRIORITY_COLOURS["P1 critical"] == "#d62728"
    assert all("_" not in label for trace in gaps["data"] for label in trace["y"])
    cycle = spec_of(app, "ov_cycle")
    # One legend entry per engagement, in engagement colours; the phases along the axis.
    assert {trace["name"] for trace in cycle["data"]} == set(labels)
    assert {trace["marker"]["color"] for trace in cycle["data"]} <= set(ENGAGEMENT_COLOURS)
    phases = [phase for trace in cycle["data"] for phase in trace["x"]]
    assert list(dict.fromkeys(phases)) == ["Initialization", "Asset selection", "Gap analysis"]


def test_a_failed_flow_is_listed_with_since_when(
    db, make_tenant, make_member, open_page, flow_with_gaps
):
    admin = make_tenant(role="admin")
    flow_id = flow_with_gaps(admin, name="Broken")
    with engagement_uow(admin, db) as uow:
        CollectionFlowStateService(uow, admin).mark_failed(
            CollectionChildFlowService(uow, admin).get_by_master_flow_id(flow_id), "worker lost"
        )
    app = open_page(make_member(admin, "manager"), "overview")
    no_exceptions(app)
    [needing] = [frame.value for frame in app.dataframe]
    assert list(needing["Flow"]) == ["Broken"] and list(needing["Why"]) == ["Flow failed"]
    assert list(needing["For"])[0].endswith(" s") and list(needing["Since"])[0]


def test_the_job_chart_follows_the_engagement_selector(
    db, engine, make_tenant, make_member, open_page, flow_with_gaps
):
    (manager, other), flows, labels = two_engagements(db, make_tenant, make_member, flow_with_gaps)
    key = failed_job(db, engine, other, flows[1])
    store = job_store_for(engine)
    done = replace(store.get(key), status=JobStatus.COMPLETED, processed=3)
    with engagement_uow(other, db) as uow:
        record_attempt_ended(
            uow, CollectionChildFlowService(uow, other).get_by_master_flow_id(flows[1]).id, done
        )

    app = open_page(manager, "overview", **{state.USER: SignedInUser(manager.user_id, "m@x", "M")})
    no_exceptions(app)
    assert "No gap job has run in these engagements yet." in texts(app, "info")
    app = open_both(open_page, manager, labels)
    jobs = spec_of(app, "ov_jobs")
    [(engagement, per_day)] = [(trace["name"], values(trace["y"])) for trace in jobs["data"]]
    assert engagement == labels[1] and per_day[-1] == 3 and sum(per_day) == 3  # today's 3 gaps
    assert jobs["layout"]["xaxis"]["tickformat"] == "%d %b %Y"  # days as dates, no clock
    assert jobs["layout"]["yaxis"]["tickformat"] == "d"
