"""Through AppTest: a tab whose sign-in session ended (Sign out in another tab, a new password)
is signed out at its next run; an admin of one engagement is offered that engagement only."""

import pytest

from core.access import engagement_admin
from core.access.credentials import set_password
from core.access.sessions import end_sessions_of
from core.kernel.context import RequestContext
from db.models import User
from tests.dashboard.conftest import no_exceptions, texts
from tests.factories import in_uow, on_accounts


@pytest.mark.parametrize(
    "end",
    [
        lambda db, user: on_accounts(db, end_sessions_of, user.id),
        lambda db, user: on_accounts(db, set_password, user.email, "a new password 42"),
    ],
    ids=["signed_out_elsewhere", "new_password"],
)
def test_an_open_tab_is_signed_out_at_its_next_run(db, tenant, open_page, end):
    app = open_page(tenant, "flows")
    no_exceptions(app)
    assert [title.value for title in app.title] == ["Flows"]
    end(db, db.get(User, tenant.user_id))
    app = app.run()  # the same connection, its context as it was
    no_exceptions(app)
    assert "You were signed out; sign in again." in texts(app, "error")
    assert [field.label for field in app.text_input] == ["Email", "Password"]
    assert not app.sidebar.text  # nobody signed in


def scope_box(app):
    """The invite form's scope (its keys carry the form's generation, renewed after an invite)."""
    [box] = [box for box in app.selectbox if box.label == "Scope"]
    return box


def test_an_engagement_admin_is_offered_its_own_engagement_only(
    db, make_tenant, make_member, open_page
):
    admin = make_tenant(role="admin")
    wave_2, _created = in_uow(db, admin, engagement_admin.add_engagement, "Wave 2")
    scoped = make_member(RequestContext(admin.client_account_id, wave_2.id), "admin")
    app = open_page(scoped, "people")
    no_exceptions(app)
    assert scope_box(app).options == ["This engagement"]
    app = open_page(admin, "people")
    assert scope_box(app).options == [
        "This engagement",
        "All engagements of the client",
    ]
    app = open_page(scoped, "clients")
    no_exceptions(app)
    assert [row for row in app.dataframe[0].value["Engagement"]] == ["Wave 2"]
