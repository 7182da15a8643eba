"""Demo flows standing in every phase, driven through the real use cases."""

import random
import uuid
from typing import Any

from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.orchestrator import MasterFlowOrchestrator
from core.flows.reads import list_questionnaires
from core.flows.state import CollectionFlowStateService
from core.questionnaires.answers import save_answers
from core.storage.unit_of_work import UnitOfWork

# (flow name, tier, the phases to run after selecting assets, how to answer)
DEMO_FLOWS: tuple[tuple[str, str, tuple[str, ...], str | None], ...] = (
    ("Wave 0 - pick the pilot assets", "tier_1", (), None),
    ("Wave 1 - scan queued", "tier_2", ("select",), None),
    ("Wave 2 - questionnaires to build", "tier_2", ("select", "gap_analysis"), None),
    (
        "Wave 3 - owners answering",
        "tier_3",
        ("select", "gap_analysis", "questionnaire_generation"),
        "some",
    ),
    (
        "Wave 4 - answers in review",
        "tier_3",
        ("select", "gap_analysis", "questionnaire_generation", "submit"),
        "good",
    ),
    (
        "Wave 5 - ready for assessment",
        "tier_1",
        ("select", "gap_analysis", "questionnaire_generation", "submit", "data_validation"),
        "good",
    ),
    (
        "Wave 6 - answers sent back",
        "tier_4",
        ("select", "gap_analysis", "questionnaire_generation", "submit", "data_validation"),
        "bad",
    ),
    ("Wave 7 - scan failed", "tier_2", ("select", "fail"), None),
)


# The phase a flow must stand in for each step of the plan.
STEP_PHASES = {"select": "asset_selection", "submit": "manual_collection", "fail": "gap_analysis"}


def demo_answer(question: dict[str, Any], rng: random.Random, quality: str) -> Any:
    if quality == "bad" and question["required"] and rng.random() < 0.5:
        return rng.choice(("TBD", "lots", "n/a"))
    if question.get("default") not in (None, ""):
        return question["default"]
    if question["type"] == "select":
        return rng.choice(question["options"])
    if question["type"] == "number":
        low = question["minimum"] or 0
        return (
            int(low + rng.randint(1, 8)) if question["integer"] else float(low + rng.randint(1, 64))
        )
    if question["field_name"] == "end_of_support_date":
        return f"20{rng.randint(25, 33)}-0{rng.randint(1, 9)}-01"
    return rng.choice(("Dana Ortiz", "Kai Chen", "Java 17 / Spring Boot", "SAP, LDAP", "4.2"))


def create_demo_flows(uow: UnitOfWork, asset_ids: list[uuid.UUID], rng: random.Random) -> list[str]:
    orchestrator = MasterFlowOrchestrator(uow, uow.ctx)
    service = CollectionChildFlowService(uow, uow.ctx)
    created = []
    # Disjoint slices: answers written back by one flow must not empty the next one's scan.
    pool = list(asset_ids)
    rng.shuffle(pool)
    share = max(1, min(60, len(pool) // len(DEMO_FLOWS)))
    for position, (name, tier, steps, quality) in enumerate(DEMO_FLOWS):
        chosen = pool[position * share : (position + 1) * share] or pool[:share]
        flow_id = orchestrator.create_flow(flow_name=name, configuration={"automation_tier": tier})
        created.append(flow_id)
        for step in steps:
            # A tiny inventory may leave a flow nothing to collect: then it stops early.
            flow = service.get_by_master_flow_id(flow_id)
            if flow is None or flow.current_phase != STEP_PHASES.get(step, step):
                break
            if step == "select":
                service.execute_phase(
                    flow_id, "asset_selection", {"selected_asset_ids": [str(a) for a in chosen]}
                )
            elif step == "submit":
                _answer(uow, flow_id, rng, quality or "good")
                service.execute_phase(flow_id, "manual_collection", {"submit_for_validation": True})
            elif step == "fail":
                CollectionFlowStateService(uow, uow.ctx).mark_failed(
                    flow, "OperationalError: the scanner lost its database connection"
                )
            else:
                service.execute_phase(flow_id, step)
        if quality == "some":
            _answer(uow, flow_id, rng, quality, share=0.4)
    return created


def _answer(
    uow: UnitOfWork, flow_id: str, rng: random.Random, quality: str, share: float = 1.0
) -> None:
    for questionnaire in list_questionnaires(uow, flow_id):
        answers = {
            question["id"]: demo_answer(question, rng, quality)
            for question in questionnaire.questions
            if rng.random() < share
        }
        if answers:
            save_answers(uow, flow_id, str(questionnaire.id), answers)
