"""One attribute's part of the prediction model: its counts per feature, and the naive Bayes
that reads them.

The value an asset's features together make most likely is scored over the asset type's
mix (counts smoothed toward it, so a small group backs off to the type), and the feature
that backs it most is the evidence. Held out, an asset's own value is left out of the
counts (leave-one-out, cheap with counts).
"""

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

from core.catalogue.attributes import CriticalAttribute
from core.enhancement.calibration import Calibration
from core.enhancement.features import ASSET_TYPE, Feature

# Weight of the asset type's mix in a feature's smoothed share ("pseudo-peers").
SMOOTHING = 2.0
CANDIDATES = 3


class AttributeCounts:
    """Values of one attribute per feature, with the training assets behind each."""

    def __init__(self) -> None:
        self.by_feature: dict[Feature, Counter] = {}
        self.members: dict[Feature, list[int]] = {}
        self.top: dict[Feature, list[tuple[Any, int]]] = {}
        self.totals: dict[Feature, int] = {}

    def add(self, feature: Feature, value: Any, index: int) -> None:
        counts = self.by_feature.get(feature)
        if counts is None:
            counts = self.by_feature[feature] = Counter()
            self.members[feature] = []
        counts[value] += 1
        self.members[feature].append(index)

    def freeze(self) -> None:
        self.top = {f: c.most_common(CANDIDATES) for f, c in self.by_feature.items()}
        self.totals = {f: c.total() for f, c in self.by_feature.items()}


class AttributeModel:
    def __init__(self, attribute: CriticalAttribute):
        self.attribute = attribute
        self.counts = AttributeCounts()
        self.kinds: set[str] = {ASSET_TYPE}
        self.calibration = Calibration()
        # Per kind of feature a prediction leans on (the asset type alone, a cluster, a
        # pair...): the same score means more from some kinds than from others.
        self.by_kind: dict[str, Calibration] = {}
        # Held-out (score, right), all and per kind, that the calibrations are fitted on.
        self.outcomes: list[tuple[float, bool]] = []
        self.outcomes_by_kind: dict[str, list[tuple[float, bool]]] = {}

    def calibrated(self, score: float, feature: Feature) -> float:
        calibration = self.by_kind.get(feature[0], self.calibration)
        return min(1.0, max(0.0, calibration(score)))

    def best(
        self, feats: Sequence[Feature], asset_type: str, own: Any = None, kinds: Any = None
    ) -> tuple[float, int, Feature, Any] | None:
        """(score, peers, feature, value): the value the asset's features together make most
        likely (naive Bayes over the asset type's mix), and the feature that backs it most;
        `own`, a held-out asset's value, is left out of the counts."""
        kinds = self.kinds if kinds is None else kinds
        type_feature = (ASSET_TYPE, asset_type)
        type_counts = self.counts.by_feature.get(type_feature)
        if not type_counts:
            return None
        held = own is not None
        type_total = self.counts.totals[type_feature] - held
        if type_total <= 0:
            return None
        used = [
            f
            for f in feats
            if f[0] != ASSET_TYPE and f[0] in kinds and f in self.counts.by_feature
            and self.counts.totals[f] - held > 0
        ]  # fmt: skip
        candidates = {value for f in (type_feature, *used) for value, _ in self.counts.top[f]}
        spread = len(type_counts)

        def prior(value: Any) -> float:
            return (type_counts[value] - (held and value == own) + 0.5) / (
                type_total + 0.5 * spread
            )

        def given(feature: Feature, value: Any) -> tuple[float, int]:
            counts = self.counts.by_feature[feature]
            agreeing = counts[value] - (held and value == own)
            total = self.counts.totals[feature] - held
            return (agreeing + SMOOTHING * prior(value)) / (total + SMOOTHING), agreeing

        # (counts, peers, log of the denominator) of each feature, read once per call.
        tables = [
            (self.counts.by_feature[f], math.log(self.counts.totals[f] - held + SMOOTHING))
            for f in used
        ]
        logs: dict[Any, float] = {}
        # In a fixed order: the score sums over them, and equal scores pool in calibration.
        for value in sorted(candidates, key=str):
            base = prior(value)
            log_base = math.log(base)
            mine = held and value == own
            total_log = log_base
            for counts, log_denominator in tables:
                agreeing = counts.get(value, 0) - mine
                total_log += math.log(agreeing + SMOOTHING * base) - log_denominator - log_base
            logs[value] = total_log
        if not logs:
            return None
        value = max(logs, key=lambda v: (logs[v], str(v)))
        top = logs[value]
        score = 1 / sum(math.exp(log - top) for log in logs.values())
        # The sentence names the feature whose peers back the value most.
        backing: list[tuple[float, Feature]] = []
        for f in used:
            share, agreeing = given(f, value)
            if agreeing > 0:
                backing.append((share, f))
        if backing:
            feature = max(backing)[1]
        elif type_counts[value] - (held and value == own) > 0:
            feature = type_feature
        else:
            return None
        return score, self.counts.totals[feature] - held, feature, value
