"""Conditional predictions of missing values, learnt from the engagement's own assets.

For each attribute the model counts, among the assets that have a usable value, which value
goes with each feature (asset type, hostname token, cluster/folder/application/..., the
asset's other known values). A missing value is the one the asset's features together make
most likely (naive Bayes, counts smoothed toward the asset type's mix), and its evidence is
the feature that backs it most: "14 of 16 VMs in cluster PROD-A have operating system
version RHEL 8". Held-out passes (leave-one-out, cheap with counts) choose the kinds of
feature that make predictions righter, and calibrate scores into the probability of being
right.
"""

import math
import random
from collections import Counter
from collections.abc import Sequence
from itertools import islice
from typing import Any

from core.catalogue.attributes import CATALOGUE, CriticalAttribute
from core.enhancement.calibration import Calibration, fit_isotonic
from core.enhancement.evidence import Prediction, basis_of, sentence_of
from core.enhancement.feature_selection import useful_kinds
from core.enhancement.features import (
    ASSET_TYPE,
    AssetRecord,
    Feature,
    features_of,
    grouping_keys,
    leans_on,
    parts_of,
    plural_of,
)

# Weight of the asset type's mix in a feature's smoothed share ("pseudo-peers").
SMOOTHING = 2.0
CANDIDATES = 3
# Held-out predictions per attribute: the calibration's error shrinks with their number.
MAX_HELD_OUT = 3000
# Calibration per attribute needs this many held-out predictions; else the one pooled over
# all attributes.
MIN_OWN_CALIBRATION = 150
SUPPORTING_IDS = 10
# The kind of peers a sentence names is read from this many of them.
PLURAL_SAMPLE = 50


class _Counts:
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


class _AttributeModel:
    def __init__(self, attribute: CriticalAttribute):
        self.attribute = attribute
        self.counts = _Counts()
        self.kinds: set[str] = {ASSET_TYPE}
        self.calibration = Calibration()
        # Per kind of feature a prediction leans on (the asset type alone, a cluster, a
        # pair...): the same score means more from some kinds than from others.
        self.by_kind: dict[str, Calibration] = {}

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


class PredictionModel:
    """The per-engagement model: train once per job, predict per gap."""

    def __init__(self, records: Sequence[AssetRecord], grouping: frozenset[str]):
        self.records = records
        self.grouping = grouping
        self.attributes: dict[str, _AttributeModel] = {}

    @classmethod
    def train(cls, records: Sequence[AssetRecord], seed: int = 0) -> "PredictionModel":
        model = cls(records, grouping_keys(records))
        feats = [features_of(record, model.grouping) for record in records]
        for attribute in CATALOGUE:
            part = _AttributeModel(attribute)
            for index, record in enumerate(records):
                value = record.values.get(attribute.name)
                if value is None or not attribute.applies_to(record.asset_type):
                    continue
                for feature in feats[index]:
                    if not leans_on(feature, attribute.name):
                        part.counts.add(feature, value, index)
            part.counts.freeze()
            if part.counts.by_feature:
                model.attributes[attribute.name] = part
        model._fit(feats, random.Random(seed))
        return model

    def _held_out(self, name: str, rng: random.Random) -> list[int]:
        indexes = [i for i, r in enumerate(self.records) if name in r.values]
        if name not in self.attributes:
            return []
        # In random order: feature selection tries its kinds on the first of them.
        return rng.sample(indexes, min(len(indexes), MAX_HELD_OUT))

    def _fit(self, feats: list[list[Feature]], rng: random.Random) -> None:
        outcomes: dict[str, list[tuple[float, bool]]] = {}
        by_kind: dict[str, dict[str, list[tuple[float, bool]]]] = {}
        extra_gaps = self._extra_gaps()
        for name, part in self.attributes.items():
            sample = self._held_out(name, rng)
            missing = extra_gaps.get(name, {})
            # An asset with a gap often lacks other values and columns too (an export
            # without its OS lacks every OS column): drop them as much more often as assets
            # with this gap lack them, for choosing kinds as for calibrating.
            held = list(feats)
            for index in sample:
                lacking = {
                    f[0] for f in feats[index] if f[0] in missing and rng.random() < missing[f[0]]
                }
                if lacking:
                    held[index] = [
                        f for f in feats[index] if not any(p[0] in lacking for p in parts_of(f))
                    ]
            part.kinds = useful_kinds(part, sample, self.records, held)
            outcomes[name] = []
            by_kind[name] = {}
            for index in sample:
                record = self.records[index]
                own = record.values[name]
                best = part.best(held[index], record.asset_type, own)
                if best is not None:
                    outcomes[name].append((best[0], best[3] == own))
                    by_kind[name].setdefault(best[2][0], []).append(outcomes[name][-1])
        pooled = fit_isotonic([o for measured in outcomes.values() for o in measured])
        for name, part in self.attributes.items():
            enough = len(outcomes[name]) >= MIN_OWN_CALIBRATION
            part.calibration = fit_isotonic(outcomes[name]) if enough else pooled
            part.by_kind = {
                kind: fit_isotonic(measured)
                for kind, measured in by_kind[name].items()
                if len(measured) >= MIN_OWN_CALIBRATION
            }

    def _extra_gaps(self) -> dict[str, dict[str, float]]:
        """Per target, per other attribute or column: how much more often an asset lacking the target
        lacks the other too, as a share of the held-out assets (which have the target) to
        drop it from. Gaps come together in real inventories (a tool that lacks one column
        lacks several); held out as they are, assets with the value would look better
        informed than those with the gap."""
        known_sets = [frozenset(r.values) | frozenset(r.context) for r in self.records]
        found: dict[str, dict[str, float]] = {}
        for target in self.attributes:
            having: Counter = Counter()
            lacking: Counter = Counter()
            with_target = without_target = 0
            for record, known in zip(self.records, known_sets, strict=True):
                if not self.attributes[target].attribute.applies_to(record.asset_type):
                    continue
                if target in known:
                    with_target += 1
                    having.update(known)
                else:
                    without_target += 1
                    lacking.update(known)
            if not with_target or not without_target:
                continue
            drops = {}
            for name in having:
                gap_with = 1 - having[name] / with_target
                gap_without = 1 - lacking[name] / without_target
                if gap_without > gap_with:
                    drops[name] = (gap_without - gap_with) / (1 - gap_with)
            found[target] = drops
        return found

    def predict(self, record: AssetRecord, attribute_name: str) -> Prediction | None:
        """The value this asset most likely has, or None without any peer evidence."""
        part = self.attributes.get(attribute_name)
        if part is None:
            return None
        feats = [f for f in features_of(record, self.grouping) if not leans_on(f, attribute_name)]
        best = part.best(feats, record.asset_type)
        if best is None:
            return None
        score, peers, feature, value = best
        counts = part.counts.by_feature[feature]
        members = part.counts.members[feature]
        supporting = tuple(
            islice(
                (
                    self.records[i].asset_id
                    for i in members
                    if self.records[i].values.get(attribute_name) == value
                ),
                SUPPORTING_IDS,
            )
        )
        group = plural_of(self.records[i].asset_type for i in members[:PLURAL_SAMPLE])
        return Prediction(
            value=value,
            confidence=round(part.calibrated(score, feature), 4),
            basis=basis_of(feature),
            sentence=sentence_of(part.attribute, feature, value, counts[value], peers, group),
            agreeing=counts[value],
            peers=peers,
            supporting_asset_ids=supporting,
            alternatives=tuple((str(v), c) for v, c in counts.most_common(4) if v != value)[:3],
        )
