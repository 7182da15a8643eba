"""Every public name of the collection-flow migration plan (the seed), with its signature.

Code written against the plan calls these names with these parameters; a change that drops,
renames or reorders one fails here. Where the product adds a parameter (always after the
plan's), the table names it, so an addition is a decision and not an accident.

The plan's HTTP endpoints (`analyze_gaps`, `get_gap_analysis_progress`) take their arguments
by name (the web framework injects them), so only their parameter names are pinned; they are
`submit_gap_analysis` and `get_gap_analysis_progress` here, entry points over a session and a
context like the plan's. The plan's phase services (gap analysis, questionnaire generation,
validation) are the functions `execute_phase` calls, not names of their own, and the plan's
`self.repository` is the unit of work's `flows`, which binds the tenant for row-level security
before it is used.
"""

import importlib
import inspect
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from core.enhancement.job_keys import (
    JOB_KEY_TTL_SECONDS,
    MAX_GAPS_PER_JOB,
    RATE_LIMIT_SECONDS,
    job_key,
    rate_limit_key,
)
from core.enhancement.job_state import JobState, progress_answer
from core.flows.child_flow_service import CollectionChildFlowService
from core.flows.configs import FLOW_CONFIGS
from core.flows.state import CollectionFlowStateService
from core.kernel.context import RequestContext
from core.kernel.phases import CollectionPhase
from db.models import CollectionDataGap, CollectionFlow, MasterFlow

NO_DEFAULT = inspect.Parameter.empty


@dataclass(frozen=True)
class Seed:
    """One callable of the plan: where it lives, its parameters as the plan writes them
    (name, or (name, default)), and the parameters the product adds after them: optional
    ones, which the plan's calls need not pass, and required ones, which they must."""

    path: str
    parameters: tuple[str | tuple[str, Any], ...]
    added: tuple[str, ...] = ()
    required_added: tuple[str, ...] = ()
    by_name_only: bool = False


SEED = [
    # Phase 1: the child flow service.
    Seed("core.flows.child_flow_service:CollectionChildFlowService", ("db", "context")),
    Seed(
        "core.flows.child_flow_service:CollectionChildFlowService.get_child_status",
        ("self", "flow_id"),
    ),
    Seed(
        "core.flows.child_flow_service:CollectionChildFlowService.get_by_master_flow_id",
        ("self", "flow_id"),
    ),
    Seed(
        "core.flows.child_flow_service:CollectionChildFlowService.execute_phase",
        ("self", "flow_id", "phase_name", ("phase_input", None)),
        added=("before_run", "progress"),
    ),
    # The state service the child flow service moves flows with.
    Seed("core.flows.state:CollectionFlowStateService", ("db", "context")),
    Seed(
        "core.flows.state:CollectionFlowStateService.transition_phase",
        ("self", "flow_id", "new_phase"),
        added=("reason",),
    ),
    # Phase 3: the orchestrator resumes through the child flow service.
    Seed(
        "core.flows.orchestrator:MasterFlowOrchestrator",
        ("db", "context"),
        added=("flow_configs", "worker_online"),
    ),
    Seed(
        "core.flows.orchestrator:MasterFlowOrchestrator.resume_flow",
        ("self", "flow_id", ("resume_context", None)),
    ),
    Seed("db.models:MasterFlow.get_current_phase", ("self",)),
    # Tenant scoping: the repository takes the tenant, and filters every query by it.
    Seed(
        "core.storage.flows:CollectionFlowRepository",
        ("db", "client_account_id", "engagement_id"),
    ),
    Seed(
        "core.storage.flows:CollectionFlowRepository.get_by_master_flow_id",
        ("self", "flow_id"),
        added=("for_update", "selection"),
    ),
    Seed("core.storage.flows:CollectionFlowRepository.get_by_id", ("self", "collection_flow_id")),
    Seed(
        "core.kernel.context:RequestContext",
        ("client_account_id", "engagement_id"),
        added=("user_id", "role", "checked_at_submit", "sign_in_session_id"),
    ),
    # Background job: submit, progress, worker, agents, persistence.
    Seed(
        "core.enhancement.jobs:submit_gap_analysis",
        ("flow_id", "selected_gaps", "db", "context"),
        by_name_only=True,
    ),
    Seed(
        "core.enhancement.jobs:get_gap_analysis_progress",
        ("flow_id", "db", "context"),
        by_name_only=True,
    ),
    Seed(
        "jobs.tasks:gap_enhancement_worker",
        ("client_account_id", "engagement_id", "collection_flow_id", "flow_id", "selected_gaps"),
        # Which submission the worker runs: a superseded job stops instead of overwriting it.
        required_added=("job_id",),
    ),
    Seed(
        "core.enhancement.agents:TenantScopedAgentPool.get_or_create_agent",
        ("client_id", "engagement_id", "agent_type"),
    ),
    Seed(
        "core.gaps.store:upsert_gap",
        ("db", "collection_flow_id", "field_name", "gap_type", "asset_id", "enhanced_data"),
    ),
]


def resolve(path: str) -> Any:
    module_name, _, qualified_name = path.partition(":")
    found: Any = importlib.import_module(module_name)
    for name in qualified_name.split("."):
        found = getattr(found, name)
    return found


def parameters_of(found: Any) -> list[inspect.Parameter]:
    target = found.__init__ if inspect.isclass(found) else found
    parameters = list(inspect.signature(target).parameters.values())
    return parameters[1:] if inspect.isclass(found) else parameters


def as_name_and_default(parameter: str | tuple[str, Any]) -> tuple[str, Any]:
    return parameter if isinstance(parameter, tuple) else (parameter, NO_DEFAULT)


@pytest.mark.parametrize("seed", SEED, ids=[seed.path.split(":")[1] for seed in SEED])
def test_the_plans_name_exists_with_its_parameters(seed: Seed) -> None:
    actual = parameters_of(resolve(seed.path))
    wanted = [as_name_and_default(parameter) for parameter in seed.parameters]
    if seed.by_name_only:
        assert {p.name for p in actual} == {name for name, _ in wanted}
        return
    added = [*seed.required_added, *seed.added]
    assert [p.name for p in actual] == [name for name, _ in wanted] + added
    for parameter, (name, default) in zip(actual, wanted, strict=False):
        assert parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.POSITIONAL_ONLY,
        ), f"{name} must still be passable by position"
        assert parameter.default == default, f"{name}'s default changed"
    for parameter in actual[len(wanted) :]:
        if parameter.name in seed.added:
            assert parameter.default is not NO_DEFAULT, (
                f"{parameter.name} is added after the plan's parameters, so it needs a default"
            )


def test_the_agent_enhances_one_gap_at_a_time() -> None:
    # The plan's `agent.enhance_gap(gap)`; here the agent also gets its tenant's unit of work.
    names = [p.name for p in parameters_of(resolve("core.enhancement.agents:GapAgent.enhance_gap"))]
    assert names[0] == "self" and names[-1] == "gap"


def test_the_child_flow_service_moves_flows_with_its_state_service() -> None:
    # The plan's `self.state_service.transition_phase(...)`; nothing is opened until used.
    context = RequestContext(uuid.uuid4(), uuid.uuid4())
    service = CollectionChildFlowService(Session(), context)
    assert isinstance(service.state_service, CollectionFlowStateService)


def test_the_collection_flow_type_runs_through_the_child_flow_service() -> None:
    assert FLOW_CONFIGS["collection"].child_flow_service is CollectionChildFlowService


def test_the_phases_are_the_plans() -> None:
    assert [phase.value for phase in CollectionPhase] == [
        "initialization",
        "asset_selection",
        "gap_analysis",
        "questionnaire_generation",
        "manual_collection",
        "data_validation",
        "assessment",
    ]


def test_job_and_rate_limit_keys_are_named_by_the_collection_flows_id() -> None:
    collection_flow_id = "7d0c2f4e-5b1a-4c3e-9f00-0123456789ab"
    assert job_key(collection_flow_id) == f"gap_enhancement_job:{collection_flow_id}"
    assert rate_limit_key(collection_flow_id) == f"gap_analysis_rate_limit:{collection_flow_id}"
    assert (JOB_KEY_TTL_SECONDS, RATE_LIMIT_SECONDS, MAX_GAPS_PER_JOB) == (3600, 10, 200)


def test_progress_answers_with_the_plans_fields() -> None:
    assert progress_answer(None) == {"status": "not_started"}
    progress = JobState.queued("job-1", 4, None, 0.0).progress(now=0.0, stall_seconds=60)
    answer = progress_answer(progress)
    assert {"status", "processed", "total", "percentage", "current_asset", "errors"} <= set(answer)
    assert (answer["status"], answer["processed"], answer["total"]) == ("queued", 0, 4)


def test_the_child_flow_has_the_fields_the_plan_reads() -> None:
    columns = set(CollectionFlow.__table__.columns.keys())
    assert {
        "id",
        "flow_id",
        "status",
        "current_phase",
        "progress_percentage",
        "automation_tier",
        "collection_config",
        "phase_state",
    } <= columns
    assert {"flow_id", "flow_type"} <= set(MasterFlow.__table__.columns.keys())


def test_a_gap_is_upserted_against_the_plans_composite_key() -> None:
    (identity,) = [
        constraint
        for constraint in CollectionDataGap.__table__.constraints
        if constraint.name == "uq_gap_identity"
    ]
    assert [column.name for column in identity.columns] == [
        "collection_flow_id",
        "field_name",
        "gap_type",
        "asset_id",
    ]
    assert {"confidence_score", "source_agent", "updated_at"} <= set(
        CollectionDataGap.__table__.columns.keys()
    )
