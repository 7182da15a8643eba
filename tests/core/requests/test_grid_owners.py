"""The answer grid's owners are the owners requests are mailed to: filtering the grid (or its
spreadsheet) by an owner gives exactly the questions that owner's request holds."""

import io

from openpyxl import load_workbook

from core.inventory.answer_sheets import answer_sheet
from core.questionnaires.open_questions import list_open_questions, list_owners
from core.requests.assignment import QuestionFilter, assign_owner
from core.requests.progress import unassigned_questions
from core.requests.sending import send_requests
from tests.factories import in_uow


def grid_ids(db, owned, **filters) -> set[str]:
    listed = in_uow(db, owned.ctx, list_open_questions, owned.flow_id, **filters)
    assert listed.matching == len(listed.rows)
    return {row.question_id for row in listed.rows}


def test_an_owner_s_grid_rows_and_spreadsheet_are_what_their_request_holds(
    db, owned_flow, workers, mailbox
):
    owned = owned_flow()
    nobody_owns = in_uow(db, owned.ctx, unassigned_questions, owned.flow_id)
    assigned = nobody_owns[0].question_id
    in_uow(
        db, owned.ctx, assign_owner, owned.flow_id, "Lee <LEE@x.org>",
        QuestionFilter(question_ids=(assigned,)),
    )  # fmt: skip
    in_uow(db, owned.ctx, send_requests, owned.flow_id)
    requests = in_uow(
        db, owned.ctx, lambda uow: uow.owner_requests.for_flow(uow.flow(owned.flow_id).id)
    )
    held = {request.owner_email: set(request.question_ids) for request in requests}

    assert in_uow(db, owned.ctx, list_owners, owned.flow_id) == sorted(held) == [
        "dana@x.org", "lee@x.org",
    ]  # fmt: skip
    assert assigned in held["lee@x.org"]
    for email, question_ids in held.items():
        assert grid_ids(db, owned, owner=email) == question_ids
        sheet = load_workbook(
            io.BytesIO(in_uow(db, owned.ctx, answer_sheet, owned.flow_id, owner=email))
        )["Open questions"]
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert {row[0] for row in rows} == question_ids
        assert {row[4] for row in rows} == {email}
    left = {q.question_id for q in nobody_owns} - {assigned}
    assert grid_ids(db, owned, without_owner=True) == left
    shown = in_uow(db, owned.ctx, list_open_questions, owned.flow_id, without_owner=True)
    assert {row.owner for row in shown.rows} == {None}  # the grid reads it "unassigned"
