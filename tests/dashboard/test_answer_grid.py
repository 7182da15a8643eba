"""The Questionnaires page's answer grid as AppTest sees it: the open questions, Accept showing
its values at once, Save, and Submit for validation saying how many questions are open."""

import io

from openpyxl import load_workbook
from sqlalchemy import select, update

from core.flows.child_flow_service import CollectionChildFlowService
from db.models import Asset, CollectionDataGap, QuestionnaireResponse
from tests.dashboard.conftest import ONE_ASSET, no_exceptions, texts


def collecting(
    db, tenant, flow_with_gaps, count: int = 2, environment_confidence: float = 0.92
) -> str:
    flow_id = flow_with_gaps(tenant, count=count)
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "environment")
        .values(predicted_value="production", confidence_score=environment_confidence,
                ai_suggestions={"evidence": "hostname token 'prd'"})
    )  # fmt: skip
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "business_owner")
        .values(predicted_value="Noor Haddad", confidence_score=0.05)
    )
    db.commit()
    CollectionChildFlowService(db, tenant).execute_phase(flow_id, "questionnaire_generation")
    return flow_id


def grid(app):
    [editor] = [frame for frame in app.dataframe if frame.proto.editing_mode]
    return editor.value


def test_the_grid_lists_every_open_question_and_accept_shows_at_once(
    db, tenant, open_page, flow_with_gaps
):
    app = open_page(tenant, "questionnaires", collecting(db, tenant, flow_with_gaps))
    no_exceptions(app)
    table = grid(app)
    assert len(table) == 6  # 2 assets x 3 questions
    environment = table[table["Question"] == "Environment"]
    assert set(environment["Confidence"]) == {"92 %"} and set(environment["Answer"]) == {""}
    owner = table[table["Question"] == "Business owner"]
    assert set(owner["Suggested"]) == {""}  # 5 %: no suggestion, nothing to accept
    accept = next(b for b in app.button if b.label.startswith("Accept 2 suggestion"))
    accept.click().run()
    no_exceptions(app)
    table = grid(app)
    environment = table[table["Question"] == "Environment"]
    assert set(environment["Answer"]) == {"production"}
    assert set(environment["Check"]) == {"OK, to save"}
    assert not db.scalars(select(QuestionnaireResponse)).all()  # nothing saved before Save
    app.button(key=next(b.key for b in app.button if b.label == "Save 2 answer(s)")).click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Saved 2 answer(s)."]
    saved = db.scalars(select(QuestionnaireResponse)).all()
    assert [response.value["accepted_prediction"]["confidence"] for response in saved] == [0.92] * 2
    table = grid(app)
    assert set(table[table["Question"] == "Environment"]["Check"]) == {"Saved"}
    assert "2 of 6 shown answered (saved)" in " ".join(texts(app, "caption"))


def test_submit_for_validation_says_how_many_questions_are_open(
    db, tenant, open_page, flow_with_gaps
):
    flow_id = collecting(db, tenant, flow_with_gaps, count=1)
    app = open_page(tenant, "questionnaires", flow_id)
    app.button(key="submit_for_validation").click().run()
    no_exceptions(app)
    assert texts(app, "warning") == [
        "3 questions still open, 3 critical ones: the flow comes back to manual collection"
        " until those are answered. Submit anyway?"
    ]
    app.button(key="keep_answering").click().run()
    assert not texts(app, "warning")
    app.button(key="submit_for_validation").click().run()
    app.button(key="submit_with_open_questions").click().run()
    no_exceptions(app)
    assert any(item.label == "Resolved" for item in app.metric)


def test_the_form_shows_an_accepted_suggestion_at_once(db, tenant, open_page, flow_with_gaps):
    flow_id = collecting(db, tenant, flow_with_gaps, count=1, environment_confidence=0.5)
    app = open_page(tenant, "questionnaires", flow_id, **ONE_ASSET)
    environment = next(w for w in app.selectbox if w.label.startswith("Environment"))
    assert environment.value is None  # 50 %: offered, not filled in
    assert not any(b.label == "Accept Noor Haddad" for b in app.button)  # 5 %: not offered
    next(b for b in app.button if b.label == "Accept production").click().run()
    no_exceptions(app)
    assert texts(app, "success") == ["Accepted the suggestion production."]
    environment = next(w for w in app.selectbox if w.label.startswith("Environment"))
    assert environment.value == "production"


def test_the_questions_shown_download_as_a_spreadsheet(
    db, tenant, open_page, flow_with_gaps, downloaded
):
    flow_id = collecting(db, tenant, flow_with_gaps)
    db.execute(update(Asset).values(technical_owner="Lee Park <lee@x.org>"))
    db.commit()
    app = open_page(tenant, "questionnaires", flow_id)
    app.selectbox(key=next(s.key for s in app.selectbox if s.label == "Owner")).set_value(
        "lee@x.org"
    ).run()
    no_exceptions(app)
    assert len(grid(app)) == 6  # the business owner is "TBD": Lee owns all
    key = next(b.key for b in app.get("download_button") if "Download" in b.label)
    sheet = load_workbook(io.BytesIO(downloaded(app, key)))["Open questions"]
    assert {row[4] for row in sheet.iter_rows(min_row=2, values_only=True)} == {"lee@x.org"}
    assert sheet.max_row == 7
