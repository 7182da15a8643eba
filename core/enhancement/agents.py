"""Gap-enhancement agents and the pool that keeps one per tenant and agent type.

`gap_analysis_specialist` is deterministic and explainable: priority and six-R impact come
from the attribute catalogue, and the predicted value comes from the engagement's prediction
model (`predictor`): the value the asset's closest peers agree on (same cluster, application,
naming convention, OS family...), a calibrated confidence and a sentence saying why.
`predict_from_peers` is the previous method (majority of the same type), kept as the
benchmark's baseline.
A language-model agent can stand behind the same `enhance_gap` interface later.
"""

import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from config.settings import get_settings
from core.catalogue.attributes import CriticalAttribute, get_attribute
from core.enhancement.evidence import Prediction
from core.enhancement.features import AssetRecord, grouping_keys
from core.enhancement.predictor import PredictionModel
from core.enhancement.selection import SelectedGap
from core.enhancement.training_sample import records_of, training_sample
from core.gaps.store import clamp_confidence
from core.storage.assets import AssetRepository
from core.storage.unit_of_work import UnitOfWork
from core.storage.value_sources import ValueSourceRepository

AGENT_NAME = "gap_analysis_specialist"
# A model is retrained after this long even if its assets look unchanged.
MODEL_MAX_AGE = 900
# Fewer agreeing peers than this cannot give full confidence.
EVIDENCE_SCALE = 5


class GapAgent(Protocol):
    """An agent of one tenant; the units of work it is handed are of that tenant."""

    def prepare(self, uow: UnitOfWork, gaps: Sequence[SelectedGap]) -> None: ...

    def enhance_gap(self, uow: UnitOfWork, gap: SelectedGap) -> dict[str, Any]: ...


def predict_from_peers(values: Counter) -> tuple[Any, float | None, dict[str, Any]]:
    """(predicted value, confidence in [0, 1] or None without evidence, the evidence)."""
    peers = sum(values.values())
    if peers == 0:
        return None, None, {"peers_with_value": 0}
    value, agreeing = values.most_common(1)[0]
    share = agreeing / peers
    # Agreement of many peers is worth more than agreement of two.
    confidence = clamp_confidence(share * peers / (peers + EVIDENCE_SCALE))
    evidence = {
        "peers_with_value": peers,
        "agreeing_peers": agreeing,
        "alternatives": [[str(v), count] for v, count in values.most_common(4)[1:]],
    }
    return value, None if confidence is None else round(confidence, 4), evidence


class GapAnalysisSpecialist:
    def __init__(self, client_account_id: uuid.UUID, engagement_id: uuid.UUID):
        self.client_account_id = client_account_id
        self.engagement_id = engagement_id
        self._model: PredictionModel | None = None
        self._trained_on: tuple[int, Any] | None = None
        self._trained_at = -1e9
        self._records: dict[uuid.UUID, AssetRecord] = {}
        self._lock = threading.Lock()

    def _assets_of(self, uow: UnitOfWork) -> AssetRepository:
        # What this agent learns stays with its tenant: it reads through that tenant only.
        if (uow.ctx.client_account_id, uow.ctx.engagement_id) != (
            self.client_account_id,
            self.engagement_id,
        ):
            raise ValueError("a unit of work of another tenant was handed to this agent")
        return uow.assets

    def prepare(self, uow: UnitOfWork, gaps: Sequence[SelectedGap]) -> None:
        """Train what the job's gaps need: the engagement's model once (again only when its
        assets changed, by answers written back or an import, or it is old), and in it the
        attributes of these gaps; read the gaps' assets."""
        assets = self._assets_of(uow)
        fingerprint = assets.fingerprint()
        sources = ValueSourceRepository(uow.session, self.client_account_id, self.engagement_id)
        with self._lock:
            age = time.monotonic() - self._trained_at
            if self._model is None or fingerprint != self._trained_on or age >= MODEL_MAX_AGE:
                chosen, of = training_sample(
                    assets.iter_ids(), get_settings().prediction_training_assets
                )
                records = list(records_of(assets, sources, chosen))
                self._model = PredictionModel(
                    records, grouping_keys(records), sampled=len(chosen) < of
                )
                self._records = {record.asset_id: record for record in records}
                self._trained_on, self._trained_at = fingerprint, time.monotonic()
            unread = [gap.asset_id for gap in gaps if gap.asset_id not in self._records]
            self._records.update(
                (record.asset_id, record) for record in records_of(assets, sources, unread)
            )
            model = self._model
        model.prepare(sorted({gap.field_name for gap in gaps}))

    def _record(self, uow: UnitOfWork, asset_id: uuid.UUID) -> AssetRecord:
        record = self._records.get(asset_id)
        if record is None:
            sources = ValueSourceRepository(uow.session, self.client_account_id, self.engagement_id)
            found = list(records_of(self._assets_of(uow), sources, [asset_id]))
            if not found:
                raise ValueError("the asset no longer exists in this engagement")
            record = found[0]
        return record

    def enhance_gap(self, uow: UnitOfWork, gap: SelectedGap) -> dict[str, Any]:
        attribute = get_attribute(gap.field_name)
        if attribute is None:
            raise ValueError(f"{gap.field_name!r} is not a critical attribute")
        if self._model is None:
            self.prepare(uow, [gap])
        model = self._model
        if model is None:
            raise ValueError("the prediction model could not be trained")
        record = self._record(uow, gap.asset_id)
        if not attribute.applies_to(record.asset_type):
            raise ValueError(f"{attribute.label} does not apply to a {record.asset_type}")
        prediction = model.predict(record, attribute.name)
        evidence: dict[str, Any] = {"method": "conditional", "peers_with_value": 0}
        if prediction is not None:
            evidence = prediction.evidence()
        return {
            "gap_category": attribute.category.value,
            "priority": attribute.priority,
            "impact_on_sixr": attribute.sixr_impact,
            "description": _describe(attribute, record.name, gap.gap_type),
            "suggested_resolution": _suggest(attribute, prediction),
            "predicted_value": None if prediction is None else str(prediction.value),
            "confidence_score": None if prediction is None else prediction.confidence,
            "ai_suggestions": {"asset_type": record.asset_type, **evidence},
            "source_agent": AGENT_NAME,
        }


def _describe(attribute: CriticalAttribute, asset_name: str, gap_type: str) -> str:
    state = "is not recorded" if gap_type == "missing" else "holds an unusable value"
    return f"{attribute.label} of {asset_name} {state}. {attribute.help}"


def _suggest(attribute: CriticalAttribute, prediction: Prediction | None) -> str:
    if prediction is None:
        return f"No peer evidence; ask the owner for the {attribute.label.lower()}."
    return (
        f"Confirm {prediction.value!s} with the owner ({prediction.sentence}; "
        f"confidence {prediction.confidence:.0%})."
    )


class TenantScopedAgentPool:
    """One persistent agent per (client, engagement, agent type) within a worker process."""

    _agents: dict[tuple[str, str, str], GapAgent] = {}
    _lock = threading.Lock()
    _factories = {AGENT_NAME: GapAnalysisSpecialist}

    @classmethod
    def get_or_create_agent(cls, client_id: str, engagement_id: str, agent_type: str) -> GapAgent:
        key = (str(client_id), str(engagement_id), agent_type)
        with cls._lock:
            if key not in cls._agents:
                factory = cls._factories.get(agent_type)
                if factory is None:
                    raise ValueError(f"unknown agent type {agent_type!r}")
                cls._agents[key] = factory(uuid.UUID(key[0]), uuid.UUID(key[1]))
            return cls._agents[key]

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._agents.clear()
