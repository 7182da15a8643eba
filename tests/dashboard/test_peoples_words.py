"""No snake_case identifier reaches a person: every page's text, walked with data in every
part of it (gaps enhanced by a job, questionnaires, answers, audit events, jobs)."""

import pytest

from core.access.identity import SignedInUser
from core.enhancement.job_stores import job_store_for
from core.enhancement.jobs import submit_gap_analysis
from core.enhancement.worker import run_gap_enhancement_job
from core.flows.child_flow_service import CollectionChildFlowService
from core.gaps.listing import page_gaps, selection_entry
from dashboard import state
from tests.dashboard.conftest import no_exceptions
from tests.dashboard.shown_words import identifiers
from tests.factories import in_uow

PAGES = ("flows", "flow", "gaps", "questionnaires", "assets", "overview", "data", "admin",
         "people", "clients")  # fmt: skip


@pytest.fixture
def busy_flow(db, make_tenant, flow_with_gaps, dispatcher):
    """An admin's flow whose gaps a job enhanced and whose questionnaires wait for answers."""
    admin = make_tenant("admin")
    flow_id = flow_with_gaps(admin, count=2, name="Words wave")
    rows = in_uow(db, admin, page_gaps, flow_id, {}, limit=50).rows
    submit_gap_analysis(db, admin, flow_id, [selection_entry(row) for row in rows])
    store = job_store_for(db.get_bind())
    for job in dispatcher.jobs:
        run_gap_enhancement_job(lambda: type(db)(bind=db.get_bind()), store, **job)
    CollectionChildFlowService(db, admin).execute_phase(flow_id, "questionnaire_generation")
    return admin, flow_id


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_an_identifier(busy_flow, open_page, page):
    admin, flow_id = busy_flow
    user = SignedInUser(admin.user_id, "words@example.test", "Words")
    app = open_page(admin, page, flow_id, **{state.USER: user})
    no_exceptions(app)
    assert identifiers(app) == {}
