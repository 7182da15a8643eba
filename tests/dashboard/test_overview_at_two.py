"""The Overview at two or more engagements: legends with room of their own, round whole ticks,
engagement colours no phase uses, the selection kept across visits, and the weekly trend."""

import uuid
from datetime import UTC, date, datetime, timedelta

import plotly.express as px
from sqlalchemy import update

from core.flows.trend import weekly_trend
from core.storage.unit_of_work import engagement_uow
from dashboard import chart_style, state
from dashboard.palette import (
    ENGAGEMENT_COLOURS,
    PHASE_COLOURS,
    PRIORITY_COLOURS,
    engagement_colours,
)
from db.models import CollectionDataGap
from tests.dashboard.conftest import no_exceptions
from tests.dashboard.test_overview import open_both, spec_of, two_engagements, values


def test_ticks_are_round_whole_numbers():
    assert [chart_style.nice_step(n) for n in (3, 8, 9, 17, 40, 536, 1608)] == [
        1, 1, 2, 5, 5, 100, 500,
    ]  # fmt: skip
    assert all(
        str(chart_style.nice_step(n))[0] in "125" for n in range(1, 5000, 37)
    )  # never 67, 134, 201


def test_engagement_colours_are_no_phase_or_priority_colour_and_differ():
    others = {*PHASE_COLOURS.values(), *PRIORITY_COLOURS.values()}
    assert not others & set(ENGAGEMENT_COLOURS)
    assert len(set(ENGAGEMENT_COLOURS)) == len(ENGAGEMENT_COLOURS)
    picked = engagement_colours(["B", "A"])
    assert picked == {"A": ENGAGEMENT_COLOURS[0], "B": ENGAGEMENT_COLOURS[1]}


def test_a_long_legend_gets_rows_of_its_own_and_the_plot_keeps_its_height():
    rows = [{"week": f"w{n}", "n": n, "engagement": f"Client {n} / Wave {n}"} for n in range(12)]
    one = chart_style.compact(px.bar(rows[:1], x="week", y="n", color="engagement"), height=320)
    twelve = chart_style.compact(
        px.bar(rows, x="week", y="n", color="engagement"), height=320, legend_entries=12
    )
    plot = {fig.layout.height - fig.layout.margin.t for fig in (one, twelve)}
    assert plot == {280}  # the plot keeps its 280 px; the legend's rows add to the top
    assert twelve.layout.height > one.layout.height


def test_long_labels_wrap_whole_instead_of_being_crushed():
    label = "Contoso Manufacturing / Data centre exit wave 3"
    assert chart_style.wrapped(label).replace("<br>", " ") == label
    assert all(len(line) <= 22 for line in chart_style.wrapped(label).split("<br>"))


def test_the_weekly_trend_counts_resolutions_and_the_median_time_per_engagement():
    today = date(2026, 12, 7)  # a Monday
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    spans = [
        ("A", monday - timedelta(hours=10), monday),
        ("A", monday - timedelta(hours=30), monday),
        ("A", monday - timedelta(days=7, hours=50), monday - timedelta(days=7)),
        ("B", monday - timedelta(hours=4), monday + timedelta(hours=1)),
    ]
    rows = weekly_trend(spans, weeks=2, today=today)
    assert rows == [
        {"engagement": "A", "week": date(2026, 11, 30), "resolved": 1, "hours": 50.0},
        {"engagement": "A", "week": today, "resolved": 2, "hours": 20.0},
        {"engagement": "B", "week": date(2026, 11, 30), "resolved": 0, "hours": None},
        {"engagement": "B", "week": today, "resolved": 1, "hours": 5.0},
    ]


def test_two_engagements_are_drawn_apart_and_kept_across_visits(
    db, make_tenant, make_member, open_page, flow_with_gaps
):
    (manager, other), flows, labels = two_engagements(db, make_tenant, make_member, flow_with_gaps)
    # The gaps of each flow resolved, so the trend has points.
    for ctx, flow_id in zip((manager, other), flows, strict=True):
        with engagement_uow(ctx, db) as uow:
            collection = uow.flows.get_by_master_flow_id(uuid.UUID(flow_id))
            uow.session.execute(
                update(CollectionDataGap)
                .where(CollectionDataGap.collection_flow_id == collection.id)
                .values(resolution_status="resolved", resolved_at=datetime.now(UTC))
            )
    app = open_both(open_page, manager, labels)

    weekly = spec_of(app, "ov_weekly")
    colours = {trace["name"]: trace["line"]["color"] for trace in weekly["data"]}
    assert set(colours) == set(labels)
    assert set(colours.values()) <= set(ENGAGEMENT_COLOURS)
    assert len(set(colours.values())) == 2
    assert sum(values(weekly["data"][0]["y"])) > 0
    cycle_trend = spec_of(app, "ov_cycle_trend")
    assert {trace["name"] for trace in cycle_trend["data"]} == set(labels)
    assert weekly["layout"]["yaxis"]["tickformat"] == "d"

    # Away to another page and back: the two engagements are still picked.
    app.switch_page("views/flows.py")
    app.run()
    no_exceptions(app)
    app.switch_page("views/overview.py")
    app.run()
    no_exceptions(app)
    assert sorted(app.multiselect(key="ov_eng").value) == sorted(labels)
    assert app.session_state[state.OVERVIEW_ENGAGEMENTS]
