"""Open questions as a spreadsheet to fill in, and the filled one read back.

The workbook has one row per open question: its id (how the row finds its question again),
the asset, the question, priority, owner, the suggestion with its confidence and reason, the
choices, and the answer to fill in (a dropdown where the answer is a choice). Reading it back
streams the sheet under the inventory import's limits (core.inventory.limits, .xlsx_rows),
checks every answer as the grid does, and writes all of them in one transaction, or nothing
when any row is refused: the report says, row by row, what was or would be done.
"""

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook as NewWorkbook
from openpyxl.worksheet.datavalidation import DataValidation

from core.access import audit
from core.catalogue.schema import priority_label
from core.catalogue.text_values import clean_value
from core.inventory.limits import ImportLimits, file_too_large, too_many_rows
from core.inventory.spreadsheet import unescape_formula, xlsx_cell
from core.inventory.xlsx_rows import Workbook
from core.kernel.edge import parse_input
from core.kernel.errors import BadRequest
from core.kernel.permissions import Action
from core.questionnaires.many_answers import check_answers, open_flow_for_answers, write_answers
from core.questionnaires.open_questions import (
    OpenQuestion,
    OpenQuestionFilters,
    matching_rows,
    with_answers,
)
from core.questionnaires.owners import UNASSIGNED
from core.storage.unit_of_work import UnitOfWork

SHEET = "Open questions"
QUESTION_ID, ANSWER = "Question id", "Answer"
HEADER = (
    QUESTION_ID, "Asset", "Question", "Priority", "Owner", "Suggested", "Confidence (%)",
    "Why suggested", "Choices", ANSWER,
)  # fmt: skip
ANSWER_COLUMN = "J"  # where ANSWER is, for the dropdowns


def answer_sheet(uow: UnitOfWork, flow_id: str, **filters: Any) -> bytes:
    """The open questions matching the grid's filters (one owner's, or the flow's) as .xlsx."""
    uow.require(Action.VIEW)
    wanted = parse_input(OpenQuestionFilters, filters).stored()
    flow = uow.flow(flow_id)
    limit = ImportLimits.from_settings().max_rows  # what can be uploaded back at once
    rows, _ = matching_rows(uow, flow.id, wanted, limit)
    questions = with_answers(uow, rows)
    return _workbook(questions)


def _workbook(questions: list[OpenQuestion]) -> bytes:
    workbook = NewWorkbook(write_only=True)
    sheet = workbook.create_sheet(SHEET)
    dropdowns: dict[tuple[str, ...], DataValidation] = {}
    sheet.append([xlsx_cell(sheet, name) for name in HEADER])
    for number, question in enumerate(questions, start=2):
        if question.options:
            dropdown = dropdowns.get(question.options)
            if dropdown is None:
                dropdown = dropdowns[question.options] = DataValidation(
                    type="list", formula1='"' + ",".join(question.options) + '"', allow_blank=True
                )
                dropdown.error = "Pick one of the choices"
                sheet.data_validations.append(dropdown)
            dropdown.add(f"{ANSWER_COLUMN}{number}")
        confidence = None if question.confidence is None else round(question.confidence * 100)
        row = (
            question.question_id, question.asset_name, question.label,
            priority_label(question.priority), question.owner or UNASSIGNED, question.suggestion,
            confidence, question.evidence, " / ".join(question.options), question.answer,
        )  # fmt: skip
        sheet.append([xlsx_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class SheetRow:
    row: int  # as the spreadsheet numbers it
    asset_name: str
    label: str
    answer: Any
    outcome: str  # "saved", "to save" (file refused), "blank", "refused: why"


@dataclass(frozen=True)
class SheetReport:
    rows: list[SheetRow]
    saved: int
    refused: int  # rows refused; any refuses the whole file

    @property
    def written(self) -> bool:
        return self.refused == 0 and self.saved > 0


def _answers_in(content: bytes, limits: ImportLimits) -> dict[str, tuple[int, Any]]:
    """Question id -> (row, answer) of every filled row, streamed under the import limits."""
    if not isinstance(content, bytes | bytearray) or not content:
        raise BadRequest("the file is empty", field="file")
    if len(content) > limits.max_file_bytes:
        raise file_too_large(len(content), limits.max_file_bytes)
    if content[:4] != b"PK\x03\x04":
        raise BadRequest("upload the .xlsx workbook downloaded here, filled in", field="file")
    workbook = Workbook(bytes(content), limits)
    if SHEET not in workbook.sheets:
        raise BadRequest(f"the workbook has no sheet named {SHEET!r}", field="file")
    found: dict[str, tuple[int, Any]] = {}
    columns: dict[str, int] | None = None
    for number, cells in workbook.rows(SHEET):
        texts = [unescape_formula(c) if isinstance(c, str) else c for c in cells]
        if columns is None:
            columns = {str(clean_value(c) or ""): i for i, c in enumerate(texts)}
            if QUESTION_ID not in columns or ANSWER not in columns:
                raise BadRequest(
                    f"the first row must name the columns {QUESTION_ID!r} and {ANSWER!r}",
                    field="file",
                )
            continue
        question_id = _cell(texts, columns[QUESTION_ID])
        if question_id in (None, ""):
            continue
        if len(found) >= limits.max_rows:
            raise too_many_rows(limits.max_rows)
        key = str(clean_value(question_id))
        if key in found:
            raise BadRequest(
                f"row {number} repeats the question of row {found[key][0]}", field="file"
            )
        found[key] = (number, _cell(texts, columns[ANSWER]))
    return found


def _cell(cells: list[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def import_answer_sheet(
    uow: UnitOfWork, flow_id: str, content: bytes, limits: ImportLimits | None = None
) -> SheetReport:
    """Check every answer of a filled sheet; write them all in this transaction when none is
    refused, none otherwise. The report says what happened to each row."""
    flow = open_flow_for_answers(uow, flow_id)
    found = _answers_in(content, limits or ImportLimits.from_settings())
    answers = {question_id: answer for question_id, (_, answer) in found.items()}
    acceptable, refused = check_answers(uow, flow, answers)
    written = 0 if refused else write_answers(uow, acceptable, (), uow.ctx.user_id)
    why = {item.question_id: item for item in refused}
    rows = []
    for question_id, (number, answer) in sorted(found.items(), key=lambda item: item[1][0]):
        if question_id in acceptable:
            question = acceptable[question_id][0]
            outcome = "saved" if written else "not saved: the file has refused rows"
            rows.append(SheetRow(number, question.asset_name, question.label, answer, outcome))
        elif question_id in why:
            item = why[question_id]
            outcome = f"refused: {item.reason}"
            rows.append(SheetRow(number, item.asset_name, item.label, answer, outcome))
        else:
            rows.append(SheetRow(number, "", "", answer, "blank: nothing to save"))
    if written:
        audit.record(uow, "answers_saved", flow_id=flow.flow_id, answers=written, via="spreadsheet")
    return SheetReport(rows, written, len(refused))
