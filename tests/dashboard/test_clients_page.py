"""The Clients & engagements page through AppTest: create, rename and archive an engagement;
the one open now cannot be archived."""

import pytest

from db.models import Engagement
from tests.dashboard.conftest import no_exceptions, texts


def button(app, label: str):
    return next(item for item in app.button if item.label == label)


def states(app) -> dict[str, str]:
    frame = app.dataframe[0].value
    return dict(zip(frame["Engagement"], frame["State"], strict=True))


@pytest.fixture
def admin(make_tenant):
    return make_tenant(role="admin", name="Acme")


def test_an_admin_creates_renames_and_archives_an_engagement(db, admin, open_page):
    app = open_page(admin, "clients")
    no_exceptions(app)
    assert states(app) == {"Wave 1": "open now"}
    app.text_input(key="new_engagement_name").input("Pilot")
    app = button(app, "Create engagement").click().run()
    assert texts(app, "success") == ["Created Pilot."]
    assert states(app) == {"Pilot": "active", "Wave 1": "open now"}

    pick = app.selectbox(key="engagement_pick_admin")
    app = pick.set_value(pick.options.index("Pilot")).run()
    rename_key = next(item.key for item in app.text_input if item.key.startswith("rename_"))
    app = app.text_input(key=rename_key).input("Wave 2").run()
    app = button(app, "Rename").click().run()
    assert texts(app, "success") == ["Renamed to Wave 2."]
    pick = app.selectbox(key="engagement_pick_admin")
    app = pick.set_value(pick.options.index("Wave 2")).run()
    app = button(app, "Archive").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Wave 2 is archived."]
    assert states(app) == {"Wave 1": "open now", "Wave 2": "archived"}
    assert db.query(Engagement).filter(Engagement.archived_at.is_not(None)).count() == 1
    db.rollback()  # SQLite: let go of the lock before the page's next run

    pick = app.selectbox(key="engagement_pick_admin")
    app = pick.set_value(pick.options.index("Wave 1")).run()
    assert button(app, "Archive").disabled


def test_an_admin_lets_the_newest_import_win_in_one_engagement(db, admin, open_page):
    app = open_page(admin, "clients")
    radio = next(item for item in app.radio if item.key.startswith("source_order_"))
    assert radio.value == "answers"
    radio.set_value("newest_import")  # a form's values are sent with its submit button
    app = button(app, "Save source order").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Source order of Wave 1 saved."]
    assert list(app.dataframe[0].value["Later imports"]) == ["newest wins"]
    db.rollback()
    assert db.get(Engagement, admin.engagement_id).import_precedence == "newest_import"
