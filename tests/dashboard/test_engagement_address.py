"""The address names the engagement: opening a colleague's link to a flow in another
engagement of yours switches to it; an engagement of no membership of yours is not found."""

from streamlit.testing.v1 import AppTest

from core.access.identity import SignedInUser
from dashboard import engagement_address, state
from db.models import Membership
from tests.dashboard.conftest import APP, no_exceptions, texts


def opened(ctx, page: str, **query: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=60)
    app.session_state[state.CONTEXT] = ctx
    app.session_state[state.SIGN_IN_SESSION] = ctx.sign_in_session_id
    app.session_state[state.USER] = SignedInUser(ctx.user_id, "two@example.test", "Two")
    app.run()
    app.switch_page(f"views/{page}.py")
    for name, value in query.items():
        app.query_params[name] = value
    return app.run()


def member_of_two(db, make_tenant, make_member):
    """An analyst of two clients' engagements, signed in on the first."""
    first, second = make_tenant(role="admin"), make_tenant(role="admin")
    analyst = make_member(first, "analyst")
    db.add(
        Membership(
            user_id=analyst.user_id,
            client_account_id=second.client_account_id,
            engagement_id=second.engagement_id,
            role="analyst",
        )
    )
    db.commit()
    return analyst, second


def test_the_address_names_the_engagement_shown(tenant, app_settings):
    app = opened(tenant, "flows")
    no_exceptions(app)
    assert app.query_params["engagement"] == str(tenant.engagement_id)


def test_a_link_into_another_engagement_of_yours_switches_to_it(
    db, make_tenant, make_member, app_settings, flow_with_gaps
):
    analyst, second = member_of_two(db, make_tenant, make_member)
    theirs = flow_with_gaps(second, name="Their wave")
    # In capitals, as a colleague may paste it.
    app = opened(analyst, "gaps", engagement=str(second.engagement_id).upper(), flow=theirs)
    no_exceptions(app)
    assert "Their wave" in app.title[0].value
    assert app.session_state[state.CONTEXT].engagement_id == second.engagement_id
    assert app.query_params["engagement"] == str(second.engagement_id)


def test_an_engagement_you_are_no_member_of_is_not_found(
    db, make_tenant, app_settings, flow_with_gaps
):
    mine, theirs = make_tenant(), make_tenant(role="admin")
    foreign = flow_with_gaps(theirs, name="Secret wave")
    for named in (str(theirs.engagement_id), "not-an-engagement"):
        app = opened(mine, "flow", engagement=named, flow=foreign)
        no_exceptions(app)
        assert texts(app, "error") == [engagement_address.NOT_FOUND]
        assert "Secret wave" not in str(app) and not app.title
        assert app.session_state[state.CONTEXT].engagement_id == mine.engagement_id
        # The way back: the person's own engagement, the address naming it again.
        app.button(key="engagement_not_found_back").click().run()
        no_exceptions(app)
        assert app.query_params["engagement"] == str(mine.engagement_id)
