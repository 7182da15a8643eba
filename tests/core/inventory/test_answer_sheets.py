"""Open questions as a spreadsheet and back: a dropdown where the answer is a choice, every
row checked on the way back, nothing written for a file with a refused row, the import's
limits on what is read."""

import dataclasses
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from core.inventory.answer_sheets import SHEET, answer_sheet, import_answer_sheet
from core.inventory.limits import ImportLimits
from core.kernel.errors import BadRequest
from db.models import CollectionDataGap, QuestionnaireResponse
from tests.factories import flow_in_manual_collection, in_uow

HOLES = {"operating_system": None, "cpu_cores": None, "business_owner": None}


@pytest.fixture
def collecting(db, tenant, make_assets):
    assets = make_assets(tenant, 2, **HOLES, technical_owner="lee@x.org")
    flow_id = flow_in_manual_collection(db, tenant, assets)
    db.execute(
        update(CollectionDataGap)
        .where(CollectionDataGap.field_name == "operating_system")
        .values(predicted_value="Linux", confidence_score=0.7, ai_suggestions={"evidence": "peers"})
    )
    db.commit()
    return flow_id


def filled(content: bytes, answers: dict[str, object]) -> bytes:
    """The workbook with `answers` (by question label) typed into every matching row."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook[SHEET]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        label = row[header.index("Question")].value
        if label in answers:
            row[header.index("Answer")].value = answers[label]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_sheet_has_a_row_per_question_with_a_dropdown_for_choices(db, tenant, collecting):
    content = in_uow(db, tenant, answer_sheet, collecting, owner="lee@x.org")
    sheet = load_workbook(io.BytesIO(content))[SHEET]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Question id", "Asset", "Question") and header[-1] == "Answer"
    by_label = {row[2]: row for row in rows[1:]}
    assert len(rows) == 7  # lee owns all 3 of each asset: the business owner is missing
    os_row = by_label["Operating system family"]
    assert os_row[4:8] == ("lee@x.org", "Linux", 70, "peers")
    [dropdown] = sheet.data_validations.dataValidation
    assert dropdown.formula1 == '"Linux,Windows,AIX,Solaris,HP-UX,Other"'
    assert len(list(dropdown.sqref.ranges)) == 2


def test_a_filled_sheet_is_saved_whole(db, tenant, collecting):
    content = in_uow(db, tenant, answer_sheet, collecting)
    answers = {"Operating system family": "linux", "CPU cores": 8, "Business owner": "Dana Ortiz"}
    report = in_uow(db, tenant, import_answer_sheet, collecting, filled(content, answers))
    assert report.written and report.saved == 6 and report.refused == 0
    assert {row.outcome for row in report.rows} == {"saved"}
    stored = sorted(str(r.value["answer"]) for r in db.scalars(select(QuestionnaireResponse)))
    assert stored == ["8", "8", "Dana Ortiz", "Dana Ortiz", "Linux", "Linux"]


def test_one_refused_row_writes_nothing_and_says_why_row_by_row(db, tenant, collecting):
    content = in_uow(db, tenant, answer_sheet, collecting)
    answers = {"Operating system family": "Linux", "CPU cores": 5000}
    report = in_uow(db, tenant, import_answer_sheet, collecting, filled(content, answers))
    assert not report.written and report.refused == 2
    outcomes = {(row.label, row.outcome) for row in report.rows}
    assert ("CPU cores", "refused: 5000 is above the maximum 1024") in outcomes
    assert ("Operating system family", "not saved: the file has refused rows") in outcomes
    assert not db.scalars(select(QuestionnaireResponse)).all()


def test_the_import_limits_hold(db, tenant, collecting):
    content = in_uow(db, tenant, answer_sheet, collecting)
    with_answers = filled(content, {"CPU cores": 8})
    small = dataclasses.replace(ImportLimits.from_settings(), max_rows=1)
    with pytest.raises(BadRequest, match="more than 1 rows"):
        in_uow(db, tenant, import_answer_sheet, collecting, with_answers, small)
    tiny = dataclasses.replace(ImportLimits.from_settings(), max_file_bytes=100)
    with pytest.raises(BadRequest, match="at most 100 B|at most 0"):
        in_uow(db, tenant, import_answer_sheet, collecting, with_answers, tiny)
    with pytest.raises(BadRequest, match="xlsx"):
        in_uow(db, tenant, import_answer_sheet, collecting, b"Question id,Answer\n")
