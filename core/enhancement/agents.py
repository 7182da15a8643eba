"""Gap-enhancement agents and the pool that keeps one per tenant and agent type.

`gap_analysis_specialist` is deterministic and explainable: priority and six-R impact come
from the attribute catalogue, and the predicted value is the most common valid value among
peer assets of the same engagement and type, with a confidence from how many peers agree.
A language-model agent can stand behind the same `enhance_gap` interface later.
"""

import threading
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

from core.catalogue.attributes import (
    CriticalAttribute,
    attributes_for,
    get_attribute,
    read_asset_value,
)
from core.catalogue.values import normalize_answer
from core.enhancement.selection import SelectedGap
from core.gaps.store import clamp_confidence
from core.storage.assets import AssetRepository
from core.storage.unit_of_work import UnitOfWork

AGENT_NAME = "gap_analysis_specialist"
# Peer statistics are refreshed after this long, so answers written back are learned from.
PEER_STATS_MAX_AGE_SECONDS = 300
# Fewer agreeing peers than this cannot give full confidence.
EVIDENCE_SCALE = 5
MAX_REMEMBERED_ASSETS = 100_000


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
        self._peer_values: dict[str, dict[str, Counter]] = {}
        self._loaded_at: dict[str, float] = {}
        # (name, asset type) of the assets of the job at hand, read once per job.
        self._assets: dict[uuid.UUID, tuple[str, str]] = {}
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
        """Read the job's assets in one query instead of one per gap."""
        ids = list({gap.asset_id for gap in gaps})
        found = {
            row.id: (row.name, row.asset_type)
            for batch in self._assets_of(uow).iter_scan_rows(ids)
            for row in batch
        }
        with self._lock:
            # Jobs of one tenant may run side by side on a worker's threads: add, don't replace.
            if len(self._assets) > MAX_REMEMBERED_ASSETS:
                self._assets = {}
            self._assets.update(found)

    def _peer_stats(self, uow: UnitOfWork, asset_type: str) -> dict[str, Counter]:
        with self._lock:
            fresh = (
                time.monotonic() - self._loaded_at.get(asset_type, -1e9)
                < PEER_STATS_MAX_AGE_SECONDS
            )
            if not fresh:
                self._peer_values[asset_type] = self._load(uow, asset_type)
                self._loaded_at[asset_type] = time.monotonic()
            return self._peer_values[asset_type]

    def _load(self, uow: UnitOfWork, asset_type: str) -> dict[str, Counter]:
        stats: dict[str, Counter] = {
            attribute.name: Counter() for attribute in attributes_for(asset_type)
        }
        for batch in self._assets_of(uow).iter_scan_rows_of_type(asset_type):
            for row in batch:
                for attribute in attributes_for(asset_type):
                    value, problem = normalize_answer(attribute, read_asset_value(row, attribute))
                    if problem is None:
                        stats[attribute.name][value] += 1
        return stats

    def enhance_gap(self, uow: UnitOfWork, gap: SelectedGap) -> dict[str, Any]:
        attribute = get_attribute(gap.field_name)
        if attribute is None:
            raise ValueError(f"{gap.field_name!r} is not a critical attribute")
        known = self._assets.get(gap.asset_id)
        if known is None:
            asset = self._assets_of(uow).get(gap.asset_id)
            if asset is None:
                raise ValueError("the asset no longer exists in this engagement")
            known = (asset.name, asset.asset_type)
        asset_name, asset_type = known
        if not attribute.applies_to(asset_type):
            raise ValueError(f"{attribute.label} does not apply to a {asset_type}")
        predicted, confidence, evidence = predict_from_peers(
            self._peer_stats(uow, asset_type)[attribute.name]
        )
        return {
            "gap_category": attribute.category.value,
            "priority": attribute.priority,
            "impact_on_sixr": attribute.sixr_impact,
            "description": _describe(attribute, asset_name, gap.gap_type),
            "suggested_resolution": _suggest(attribute, predicted, confidence),
            "predicted_value": None if predicted is None else str(predicted),
            "confidence_score": confidence,
            "ai_suggestions": {
                "method": "peer_majority",
                "asset_type": asset_type,
                **evidence,
            },
            "source_agent": AGENT_NAME,
        }


def _describe(attribute: CriticalAttribute, asset_name: str, gap_type: str) -> str:
    state = "is not recorded" if gap_type == "missing" else "holds an unusable value"
    return f"{attribute.label} of {asset_name} {state}. {attribute.help}"


def _suggest(attribute: CriticalAttribute, predicted: Any, confidence: float | None) -> str:
    if predicted is None:
        return f"No peer evidence; ask the owner for the {attribute.label.lower()}."
    return (
        f"Confirm {predicted!s} with the owner (most common among peers, "
        f"confidence {confidence:.0%})."
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
