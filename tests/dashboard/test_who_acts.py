"""Words that say who acts, figures that fit their column, times with their zone."""

from core.flows.health import WAITING_FOR_ANALYST, WAITING_FOR_YOU
from tests.dashboard.conftest import no_exceptions


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
