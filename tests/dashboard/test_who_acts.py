"""Words that say who acts, figures that fit their column, times with their zone."""

import json
import re

from sqlalchemy import update

from core.flows.health import WAITING_FOR_ANALYST, WAITING_FOR_YOU, waiting_on_owners
from db.models import GapJob
from db.session import bind_tenant
from tests.core.requests.test_waiting import ask_owners
from tests.dashboard.conftest import no_exceptions
from tests.dashboard.test_job_progress import failed_job
from tests.factories import flow_in_manual_collection, in_uow


def every_text(app) -> list[str]:
    """What the page says in its markdown (badges are markdown), captions and tables."""
    said = [
        str(element.value) for kind in ("markdown", "caption") for element in getattr(app, kind)
    ]
    for frame in app.dataframe:
        said += [str(cell) for column in frame.value.columns for cell in frame.value[column]]
    return said


def stepper_states(app) -> list[str]:
    """The stepper's "As a table" states, phase by phase."""
    steps = next(f.value for f in app.dataframe if "Moved by" in f.value.columns)
    return list(steps["State"])


def test_the_stepper_tells_a_manager_who_acts(make_tenant, make_member, open_page, flow_with_gaps):
    admin = make_tenant("admin")
    flow_id = flow_with_gaps(admin)  # scanned: waits for questionnaires to be generated
    manager = open_page(make_member(admin, "manager"), "flow", flow_id)
    no_exceptions(manager)
    assert stepper_states(manager)[3] == WAITING_FOR_ANALYST
    assert any(WAITING_FOR_ANALYST in text for text in every_text(manager))
    assert not any(WAITING_FOR_YOU in text for text in every_text(manager))
    analyst = open_page(make_member(admin, "analyst"), "flow", flow_id)
    assert stepper_states(analyst)[3] == WAITING_FOR_YOU


# The grid's width of a column set to a size; None (sized to its contents) is never cut.
WIDTHS = {"small": 75, "medium": 200, "large": 400}
# About this many pixels a character in the grid's font, and the cell's padding: generous.
CHAR_PIXELS, PADDING = 7.5, 16


def cut_short(frame) -> dict[str, str]:
    """The columns given a width too narrow for their header or longest text, with that text."""
    config = json.loads(frame.proto.columns or "{}")
    cut = {}
    for column in frame.value.columns:
        width = config.get(column, {}).get("width")
        pixels = WIDTHS.get(width, width) if width is not None else None
        longest = max([str(column), *map(str, frame.value[column])], key=len)
        if pixels is not None and len(longest) * CHAR_PIXELS + PADDING > pixels:
            cut[column] = longest
    return cut


def a_fast_job(db, engine, ctx, flow_id: str) -> None:
    """A job that ended after working 3791 gaps in a minute: the widest rate a table shows."""
    failed_job(db, engine, ctx, flow_id)
    bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
    db.execute(
        update(GapJob).values(status="completed", processed=3791, total=3791, running_seconds=60.0)
    )
    db.commit()


def test_no_job_figure_is_cut_short(db, engine, make_tenant, open_page, flow_with_gaps):
    admin = make_tenant("admin")
    flow_id = flow_with_gaps(admin, name="Fast")
    a_fast_job(db, engine, admin, flow_id)
    for page, flow in (("admin", None), ("gaps", flow_id)):
        app = open_page(admin, page, flow)
        no_exceptions(app)
        [jobs] = [frame for frame in app.dataframe if "Rate" in frame.value.columns]
        assert list(jobs.value["Rate"]) == ["3791 gaps/min"]
        assert [cut_short(frame) for frame in app.dataframe] == [{}] * len(app.dataframe), page


# A time as people read it: to the minute, with its zone (the viewer's; UTC without one).
ZONED = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d (UTC|[A-Z]{2,5}|[+-]\d{2,4})( \(.+\))?")


def test_admin_times_carry_their_zone(db, engine, make_tenant, open_page, flow_with_gaps):
    admin = make_tenant("admin")
    failed_job(db, engine, admin, flow_with_gaps(admin, name="Failing"))
    app = open_page(admin, "admin")
    no_exceptions(app)
    incidents, jobs = (frame.value for frame in app.dataframe[:2])
    assert list(incidents["Flow"]) == ["Failing"]
    [since] = incidents["Since"]
    # "2026-12-07 09:07 UTC (3 s ago)", "... UTC (just now)": with its zone, and how long ago.
    assert ZONED.fullmatch(since) and since.endswith(")"), since
    assert all(ZONED.fullmatch(moment) for moment in jobs["Submitted"]), list(jobs["Submitted"])


def test_a_flow_whose_questions_went_to_owners_waits_on_them(
    db, make_tenant, make_member, open_page, make_assets
):
    analyst = make_tenant()
    holes = {"operating_system": None, "environment": None}
    asked = flow_in_manual_collection(db, analyst, make_assets(analyst, 1, **holes), name="Asked")
    flow_in_manual_collection(db, analyst, make_assets(analyst, 1, **holes), name="Not asked")
    in_uow(db, analyst, ask_owners, asked, "lee@x.org")
    says = waiting_on_owners(2, 1)
    assert says == "waiting on owners: 1 of 2 answered"
    flows = open_page(analyst, "flows")
    no_exceptions(flows)
    table = flows.dataframe[0].value
    assert dict(zip(table["Name"], table["Status"], strict=True)) == {
        "Asked": says,
        "Not asked": WAITING_FOR_YOU,
    }
    for reader in (analyst, make_member(analyst, "manager")):
        flow = open_page(reader, "flow", asked)
        no_exceptions(flow)
        assert {m.label: m.value for m in flow.metric}["Status"] == says
        assert stepper_states(flow)[4] == says
    gaps = open_page(analyst, "gaps", asked)
    no_exceptions(gaps)
    assert any(caption.value.endswith(f"status: {says}") for caption in gaps.caption)
