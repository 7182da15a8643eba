"""The People page through AppTest: invite with a password shown once, change a role, and the
last admin kept."""

import pytest

from core.access.identity import authenticate
from tests.dashboard.conftest import no_exceptions, texts
from tests.factories import on_accounts


def button(app, label: str):
    return next(item for item in app.button if item.label == label)


def invite(app, email: str, role: str):
    app.text_input(key="invite_email").input(email)
    app.selectbox(key="invite_role").select(role)
    return button(app, "Invite").click().run()


@pytest.fixture
def admin(make_tenant):
    return make_tenant(role="admin")


def test_an_invited_analyst_gets_a_password_shown_once_and_can_sign_in(db, admin, open_page):
    app = open_page(admin, "people")
    no_exceptions(app)
    assert [title.value for title in app.title] == ["People"]
    app = invite(app, "priya@example.com", "analyst")
    no_exceptions(app)
    (password,) = [block.value for block in app.code]
    assert "shown only this once" in texts(app, "success")[0]
    assert "priya@example.com" in app.dataframe[0].value["Email"].tolist()
    assert on_accounts(db, authenticate, "priya@example.com", password).email
    app = app.run()  # the next run shows it no more
    assert not app.code


def test_an_admin_changes_a_role_and_cannot_demote_the_last_admin(db, admin, open_page):
    app = invite(open_page(admin, "people"), "lee@example.com", "analyst")
    members = app.selectbox(key="member_pick")
    lee = next(i for i, label in enumerate(members.options) if label.startswith("lee@"))
    app = members.set_value(lee).run()
    role_key = next(item.key for item in app.selectbox if item.key.startswith("role_"))
    app = app.selectbox(key=role_key).select("manager").run()
    app = button(app, "Change role").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["lee@example.com is manager on Wave 1 now."]
    frame = app.dataframe[0].value
    assert frame.loc[frame["Email"] == "lee@example.com", "Role"].tolist() == ["manager"]

    members = app.selectbox(key="member_pick")
    own = next(i for i, label in enumerate(members.options) if "admin on" in label)
    app = members.set_value(own).run()
    app = button(app, "Remove membership").click().run()
    no_exceptions(app)
    assert any("last admin" in text for text in texts(app, "warning"))
    frame = app.dataframe[0].value
    assert "admin" in frame["Role"].tolist()
