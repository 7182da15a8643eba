"""A flow's questions as owners see them: which are open, and whose each one is."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from core.questionnaires.generation import list_for_flow, responses_by_question
from core.requests.owners import Owner, owner_of_question
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow


@dataclass(frozen=True)
class FlowQuestion:
    questionnaire_id: uuid.UUID
    asset_id: uuid.UUID
    asset_name: str
    question: dict[str, Any]  # as generated: id (the gap's), label, type, options, help, ...
    owner: Owner | None
    assigned_by_hand: bool
    answer: Any  # what was answered so far (None: nothing)
    answered_via_link: str | None  # the owner's address, when they answered by their link

    @property
    def id(self) -> str:
        return str(self.question["id"])

    @property
    def answered(self) -> bool:
        return self.answer not in (None, "")


def flow_questions(
    uow: UnitOfWork, flow: CollectionFlow, among: Sequence[str] | None = None
) -> list[FlowQuestion]:
    """Every question of the flow whose gap is still pending, with its owner and answer;
    `among`: only the questionnaires holding these questions (one owner's page reads its own
    assets, not the whole flow's)."""
    if among is None:
        questionnaires = list_for_flow(uow, flow)
        assets = uow.owner_requests.asset_owners()
    else:
        asset_ids = uow.owner_requests.asset_ids_of_questions(among)
        questionnaires = uow.owner_requests.questionnaires_of_assets(flow.id, asset_ids)
        assets = uow.owner_requests.asset_owners(asset_ids)
    pending = uow.owner_requests.pending_gap_ids(flow.id)
    responses = responses_by_question(uow.session, [item.id for item in questionnaires])
    assignments = uow.owner_requests.assignments(flow.id)
    questions = []
    for questionnaire in questionnaires:
        name, technical, business = assets.get(
            questionnaire.asset_id, (questionnaire.title, None, None)
        )
        for question in questionnaire.questions:
            if question["id"] not in pending:
                continue
            assigned = assignments.get(question["id"])
            owner = owner_of_question(
                question["field_name"],
                technical,
                business,
                assigned.owner_email if assigned is not None else None,
            )
            response = responses.get((questionnaire.id, question["id"]))
            given = response.value if response is not None else {}
            questions.append(
                FlowQuestion(
                    questionnaire.id,
                    questionnaire.asset_id,
                    name,
                    question,
                    owner,
                    assigned is not None,
                    given.get("answer"),
                    given.get("answered_via_link"),
                )
            )
    return questions


def by_owner(questions: list[FlowQuestion]) -> dict[str, list[FlowQuestion]]:
    """The questions that have an owner, by the owner's address."""
    owned: dict[str, list[FlowQuestion]] = defaultdict(list)
    for question in questions:
        if question.owner is not None:
            owned[question.owner.email].append(question)
    return owned


def owner_names(questions: list[FlowQuestion]) -> dict[str, str | None]:
    """The name each owner goes by where an asset gives one."""
    names: dict[str, str | None] = {}
    for question in questions:
        if question.owner is not None and names.get(question.owner.email) is None:
            names[question.owner.email] = question.owner.name
    return names
