"""The People page through AppTest: invite with a password shown once, change a role, and the
last admin kept."""

from core.access.identity import authenticate
from tests.dashboard.conftest import no_exceptions, texts
from tests.factories import on_accounts


def button(app, label: str):
    return next(item for item in app.button if item.label == label)


def field(app, kind: str, label: str):
    """The invite form's field (its key changes with each invitation that goes through)."""
    return next(item for item in getattr(app, kind) if item.label == label)


def invite(app, email: str, role: str):
    field(app, "text_input", "Email").input(email)
    field(app, "selectbox", "Role").select(role)
    return button(app, "Invite").click().run()


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
    assert members.value is None  # nobody, not the admin, is picked at first
    lee = next(i for i, label in enumerate(members.options) if label.startswith("lee@"))
    app = members.select_index(lee).run()
    role_key = next(item.key for item in app.selectbox if item.key.startswith("role_"))
    app = app.selectbox(key=role_key).select("manager").run()
    app = button(app, "Change role").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["lee@example.com is manager on Wave 1 now."]
    frame = app.dataframe[0].value
    assert frame.loc[frame["Email"] == "lee@example.com", "Role"].tolist() == ["manager"]
    # The same person stays picked, with the new state.
    assert (
        app.selectbox(key="member_pick")
        .options[app.selectbox(key="member_pick").index]
        .startswith("lee@example.com · manager")
    )

    members = app.selectbox(key="member_pick")
    own = next(i for i, label in enumerate(members.options) if "admin on" in label)
    app = members.select_index(own).run()
    app = button(app, "Remove membership").click().run()
    assert any("lose this access" in text for text in texts(app, "warning"))
    app = app.button(key="member_action_confirm").click().run()
    no_exceptions(app)
    assert any("last admin" in text for text in texts(app, "warning"))
    frame = app.dataframe[0].value
    assert "admin" in frame["Role"].tolist()


def test_remove_and_deactivate_ask_first_and_cancel_changes_nothing(db, admin, open_page):
    app = invite(open_page(admin, "people"), "kim@example.com", "analyst")
    members = app.selectbox(key="member_pick")
    kim = next(i for i, label in enumerate(members.options) if label.startswith("kim@"))
    app = members.select_index(kim).run()
    app = button(app, "Deactivate").click().run()
    no_exceptions(app)
    assert any(text.startswith("Deactivate kim@example.com?") for text in texts(app, "warning"))
    app = app.button(key="member_action_cancel").click().run()
    frame = app.dataframe[0].value
    assert frame.loc[frame["Email"] == "kim@example.com", "State"].tolist() == ["active"]
    app = button(app, "Deactivate").click().run()
    app = app.button(key="member_action_confirm").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["kim@example.com is deactivated."]
    frame = app.dataframe[0].value
    assert frame.loc[frame["Email"] == "kim@example.com", "State"].tolist() == ["deactivated"]
    assert (
        "deactivated"
        in app.selectbox(key="member_pick").options[app.selectbox(key="member_pick").index]
    )


def test_the_invite_form_asks_a_name_and_keeps_a_refused_email(db, admin, open_page):
    app = open_page(admin, "people")
    field(app, "text_input", "Name").input("Priya Raman")
    app = invite(app, "not an email", "analyst")
    no_exceptions(app)
    assert texts(app, "error")  # said in a sentence
    assert field(app, "text_input", "Email").value == "not an email"  # to correct, not retype
    assert field(app, "text_input", "Name").value == "Priya Raman"
    app = invite(app, "priya@example.com", "analyst")
    no_exceptions(app)
    frame = app.dataframe[0].value
    assert frame.loc[frame["Email"] == "priya@example.com", "Name"].tolist() == ["Priya Raman"]
    assert field(app, "text_input", "Email").value == ""  # the next one starts empty
    # A second invitation straight after goes through (its address is not lost).
    app = invite(app, "max@example.com", "manager")
    no_exceptions(app)
    assert "max@example.com" in app.dataframe[0].value["Email"].tolist()
