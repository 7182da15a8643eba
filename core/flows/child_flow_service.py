"""CollectionChildFlowService: the single execution path of every collection phase."""

import logging
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from config.settings import get_settings
from core.access import audit
from core.catalogue.labels import phase_words
from core.flows.phase_run import RunSuperseded
from core.flows.state import CollectionFlowStateService, as_engagement_uow
from core.gaps.scan import scan_flow_gaps
from core.kernel.context import RequestContext
from core.kernel.errors import BadRequest, CollectionError, Conflict, NotFound
from core.kernel.inputs import parse_uuid, parse_uuid_texts
from core.kernel.permissions import Action
from core.kernel.phases import CollectionPhase, parse_phase
from core.questionnaires.generation import generate_questionnaires
from core.questionnaires.validation import skip_open_gaps, validate_collected_data
from core.storage.unit_of_work import UnitOfWork
from db.models import CollectionFlow

logger = logging.getLogger(__name__)

P = CollectionPhase


class CollectionChildFlowService:
    """Runs a flow's phases and reports its status. `db` is a plain session (workers,
    scripts), or the unit of work of a use case that runs a phase as part of its own work
    (one transaction)."""

    def __init__(self, db: Session | UnitOfWork, context: RequestContext):
        self.uow = as_engagement_uow(db, context)
        self.state_service = CollectionFlowStateService(self.uow, context)

    def get_child_status(self, flow_id: str) -> dict[str, Any] | None:
        """The flow's state as the seed reports it; None for a flow this engagement lacks
        (another client's or engagement's included)."""
        child = self.get_by_master_flow_id(flow_id)
        if child is None:
            return None
        return {
            "status": child.status,
            "current_phase": child.current_phase,
            "progress_percentage": child.progress_percentage,
            "automation_tier": child.automation_tier,
            "collection_config": child.collection_config,
            "phase_state": child.phase_state,
        }

    def get_by_master_flow_id(self, flow_id: str) -> CollectionFlow | None:
        with self.uow as uow:
            uow.require(Action.VIEW)
            return uow.flows.get_by_master_flow_id(parse_uuid(flow_id, "flow_id"))

    def execute_phase(
        self,
        flow_id: str,
        phase_name: str,
        phase_input: dict[str, Any] | None = None,
        *,
        before_run: Callable[[CollectionFlow], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        """Run `phase_name` of the flow, which must be the phase it stands in (else 409).

        Holds a row lock on the flow for the whole transaction. A typed error changes
        nothing; any other error rolls back the phase's work and fails the flow.
        `before_run(child)` writes a caller's bookkeeping in that same transaction, so a
        refused phase takes it back too. `progress(done, total)`, when given, hears how far a
        long phase (the gap scan, questionnaire generation) has come.
        """
        with self.uow as uow:
            uow.require(Action.RUN_PHASE)
            flow_uuid = parse_uuid(flow_id, "flow_id")
            phase = parse_phase(phase_name)
            if phase_input is not None and not isinstance(phase_input, dict):
                raise BadRequest("phase_input must be an object", field="phase_input")
            try:
                child = uow.flows.get_by_master_flow_id(flow_uuid, for_update=True)
                if child is None:
                    raise NotFound("Flow not found")
                if child.current_phase != phase:
                    raise Conflict(
                        f"the flow stands in {phase_words(child.current_phase)},"
                        f" not {phase_words(phase)}",
                        field="phase_name",
                    )
                if before_run is not None:
                    before_run(child)
                result = self._run(child, phase, phase_input or {}, progress)
                child.phase_state = {**child.phase_state, phase.value: _summary(result)}
                uow.session.flush()  # the phase's database errors surface here, not at commit
                return result
            except (CollectionError, RunSuperseded):
                raise  # a refusal changes nothing; a replaced run leaves the flow to the new one
            except Exception as error:
                logger.exception("phase %s of flow %s failed", phase, flow_uuid)
                self._fail(flow_uuid, f"{type(error).__name__}: {error}")
                raise

    def _fail(self, flow_uuid: uuid.UUID, message: str) -> None:
        # The failure is saved for good, whoever holds the transaction: it is what a
        # person (or a resume) acts on next, while the error goes on up.
        uow = self.uow
        uow.rollback()
        child = uow.flows.get_by_master_flow_id(flow_uuid, for_update=True)
        if child is not None:
            self.state_service.mark_failed(child, message)
        uow.commit()

    def _run(
        self,
        child: CollectionFlow,
        phase: CollectionPhase,
        phase_input: dict,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict:
        uow, state = self.uow, self.state_service
        if phase is P.INITIALIZATION:
            state.transition_phase(child.id, P.ASSET_SELECTION)
            return {"status": "initialized", "phase": phase.value}
        if phase is P.ASSET_SELECTION:
            return self._select_assets(child, phase_input)
        if phase is P.GAP_ANALYSIS:
            result = scan_flow_gaps(uow, child, progress=progress)
            self.apply_gap_analysis_progression(child, result)
            return {"phase": phase.value, **result}
        if phase is P.QUESTIONNAIRE_GENERATION:
            result = generate_questionnaires(uow, child, progress=progress)
            state.transition_phase(child.id, P.MANUAL_COLLECTION)
            return {"phase": phase.value, **result}
        if phase is P.MANUAL_COLLECTION:
            if phase_input.get("submit_for_validation"):
                state.transition_phase(child.id, P.DATA_VALIDATION)
                audit.record(uow, "submitted_for_validation", flow_id=child.flow_id)
                return {"status": "submitted_for_validation", "phase": phase.value}
            return {"status": "awaiting_user_responses", "phase": phase.value}
        if phase is P.DATA_VALIDATION:
            return self._validate(child)
        return self._assessment(child)

    def _select_assets(self, child: CollectionFlow, phase_input: dict) -> dict[str, Any]:
        uow = self.uow
        raw_ids = phase_input.get("selected_asset_ids")
        if raw_ids is None:
            return {"status": "awaiting_user_input", "phase": P.ASSET_SELECTION.value}
        cap = get_settings().max_assets_per_flow
        # Set operations over the whole list, not a step per asset: 100,000 ids are one
        # check of their text and one anti-join against the engagement's assets.
        asset_ids = parse_uuid_texts(raw_ids, "selected_asset_ids", max_items=cap)
        if not asset_ids:
            raise BadRequest("select at least one asset", field="selected_asset_ids")
        asset_ids = list(dict.fromkeys(asset_ids))
        unknown, example = uow.assets.unknown_ids(asset_ids)
        if unknown:
            raise BadRequest(
                f"selected_asset_ids holds {unknown} id(s) that are not assets of this"
                f" engagement, e.g. {example}",
                field="selected_asset_ids",
            )
        child.collection_config = {**child.collection_config, "selected_asset_ids": asset_ids}
        self.state_service.transition_phase(child.id, P.GAP_ANALYSIS)
        audit.record(uow, "assets_selected", flow_id=child.flow_id, count=len(asset_ids))
        return {
            "status": "assets_selected",
            "phase": P.ASSET_SELECTION.value,
            "selected": len(asset_ids),
        }

    def apply_gap_analysis_progression(self, child: CollectionFlow, result: dict) -> None:
        """After gap analysis (a scan or an enhancement job): questionnaires when it wrote gaps,
        manual collection when gaps are still open, else assessment."""
        if result.get("gaps_persisted", 0) > 0:
            next_phase = P.QUESTIONNAIRE_GENERATION
        elif not result.get("has_pending_gaps", False):
            next_phase = P.ASSESSMENT
        else:
            next_phase = P.MANUAL_COLLECTION
        self.state_service.transition_phase(child.id, next_phase)

    def _validate(self, child: CollectionFlow) -> dict[str, Any]:
        uow = self.uow
        report = validate_collected_data(uow, child, uow.ctx.user_id)
        if report["open_critical_gaps"]:
            self.state_service.transition_phase(
                child.id,
                P.MANUAL_COLLECTION,
                reason=f"{report['open_critical_gaps']} critical gap(s) still open",
            )
        else:
            report["skipped"] = skip_open_gaps(uow, child)
            self.state_service.transition_phase(child.id, P.ASSESSMENT)
        child.phase_state = {**child.phase_state, "validation_report": report}
        return {"phase": P.DATA_VALIDATION.value, **report}

    def _assessment(self, child: CollectionFlow) -> dict[str, Any]:
        return {
            "status": "completed",
            "phase": P.ASSESSMENT.value,
            "selected_assets": len(child.collection_config.get("selected_asset_ids", [])),
            "pending_gaps": self.uow.gaps.count_pending(child.id),
        }


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    """What of a phase result is worth keeping on the flow (no long lists)."""
    return {key: value for key, value in result.items() if not isinstance(value, list | dict)}
