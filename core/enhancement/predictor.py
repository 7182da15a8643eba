"""Conditional predictions of missing values, learnt from the engagement's own assets.

For each attribute the model counts, among the assets that have a usable value, which value
goes with each feature (asset type, hostname token, cluster/folder/application/..., the
asset's other known values). A missing value is the one the asset's features together make
most likely (naive Bayes, counts smoothed toward the asset type's mix), and its evidence is
the feature that backs it most: "14 of 16 VMs in cluster PROD-A have operating system
version RHEL 8". Held-out passes (leave-one-out, cheap with counts) choose the kinds of
feature that make predictions righter, and calibrate scores into the probability of being
right. Each attribute is trained when first needed (a job trains those of its gaps); its
held-out draws are those it would have had with every attribute trained, so what it predicts
does not depend on what was trained before it.
"""

import random
import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from itertools import islice

from core.catalogue.attributes import CATALOGUE, CriticalAttribute, get_attribute
from core.enhancement.attribute_model import AttributeModel
from core.enhancement.calibration import Calibration, fit_isotonic
from core.enhancement.evidence import Prediction, basis_of, sentence_of
from core.enhancement.feature_selection import useful_kinds
from core.enhancement.features import (
    AssetRecord,
    Feature,
    features_of,
    grouping_keys,
    leans_on,
    parts_of,
    plural_of,
)

# Held-out predictions per attribute: the calibration's error shrinks with their number.
MAX_HELD_OUT = 3000
# Calibration per attribute needs this many held-out predictions; else the one pooled over
# all attributes.
MIN_OWN_CALIBRATION = 150
SUPPORTING_IDS = 10
# The kind of peers a sentence names is read from this many of them.
PLURAL_SAMPLE = 50


class PredictionModel:
    """The per-engagement model. Each attribute is trained the first time a prediction of it
    is asked for (or `prepare` names it), then kept: a job trains only what its gaps need."""

    def __init__(
        self,
        records: Sequence[AssetRecord],
        grouping: frozenset[str],
        seed: int = 0,
        sampled: bool = False,
    ):
        self.records = records
        self.grouping = grouping
        self.seed = seed
        # Learnt from a sample of the engagement's assets: counts in sentences are of the sample.
        self.sampled = sampled
        self.attributes: dict[str, AttributeModel] = {}
        self._feats = [features_of(record, grouping) for record in records]
        self._measured: dict[str, AttributeModel | None] = {}
        self._pooled: Calibration | None = None
        self._known_sets: Counter[tuple[str, frozenset[str]]] | None = None
        self._stream = random.Random(seed)
        self._next_draw = 0  # the catalogue's attributes drawn for so far
        self._drawn: dict[str, tuple[list[int], dict[int, list[Feature]]]] = {}
        # The pool's agent serves several jobs of the engagement, each perhaps on a thread.
        self._lock = threading.RLock()

    @classmethod
    def train(
        cls,
        records: Sequence[AssetRecord],
        seed: int = 0,
        attributes: Collection[str] | None = None,
        sampled: bool = False,
    ) -> "PredictionModel":
        """The model of these assets, with the named attributes trained (every one if None);
        the others are trained when first asked for."""
        model = cls(records, grouping_keys(records), seed, sampled)
        model.prepare(a.name for a in CATALOGUE if attributes is None or a.name in attributes)
        return model

    def prepare(self, attribute_names: Iterable[str]) -> None:
        """Train these attributes now (a job, before its first gap)."""
        for name in attribute_names:
            self.trained(name)

    def trained(self, name: str) -> AttributeModel | None:
        """The attribute's trained model; None where no asset has a usable value of it."""
        with self._lock:
            if name in self.attributes:
                return self.attributes[name]
            part = self._measure(name)
            if part is None:
                return None
            enough = len(part.outcomes) >= MIN_OWN_CALIBRATION
            part.calibration = fit_isotonic(part.outcomes) if enough else self._pooled_calibration()
            part.by_kind = {
                kind: fit_isotonic(measured)
                for kind, measured in part.outcomes_by_kind.items()
                if len(measured) >= MIN_OWN_CALIBRATION
            }
            self.attributes[name] = part
            return part

    def _measure(self, name: str) -> AttributeModel | None:
        """The attribute's counts, its kinds of feature and its held-out outcomes, uncalibrated."""
        if name in self._measured:
            return self._measured[name]
        attribute = get_attribute(name)
        part = None if attribute is None else self._counted(attribute)
        self._measured[name] = part
        if part is None:
            return None
        sample, lacking = self._draws(name)
        held = list(self._feats)
        for index, features in lacking.items():
            held[index] = features
        part.kinds = useful_kinds(part, sample, self.records, held)
        for index in sample:
            record = self.records[index]
            own = record.values[name]
            best = part.best(held[index], record.asset_type, own)
            if best is not None:
                part.outcomes.append((best[0], best[3] == own))
                part.outcomes_by_kind.setdefault(best[2][0], []).append(part.outcomes[-1])
        return part

    def _draws(self, name: str) -> tuple[list[int], dict[int, list[Feature]]]:
        """The attribute's held-out assets, and the features some of them lack while held out.

        One random stream from the model's seed is drawn over the catalogue's attributes in
        order, as if every one were trained: an attribute's draws are the same whichever
        attributes were trained before it, and the same in every process."""
        while name not in self._drawn and self._next_draw < len(CATALOGUE):
            attribute = CATALOGUE[self._next_draw]
            self._next_draw += 1
            if self._has_values(attribute):
                self._drawn[attribute.name] = self._draw(attribute.name)
        return self._drawn.get(name, ([], {}))

    def _draw(self, name: str) -> tuple[list[int], dict[int, list[Feature]]]:
        rng = self._stream
        indexes = [i for i, r in enumerate(self.records) if name in r.values]
        # In random order: feature selection tries its kinds on the first of them.
        sample = rng.sample(indexes, min(len(indexes), MAX_HELD_OUT))
        missing = self.extra_gaps(name)
        # An asset with a gap often lacks other values and columns too (an export
        # without its OS lacks every OS column): drop them as much more often as assets
        # with this gap lack them, for choosing kinds as for calibrating.
        dropped: dict[int, list[Feature]] = {}
        for index in sample:
            feats = self._feats[index]
            lacking = {f[0] for f in feats if f[0] in missing and rng.random() < missing[f[0]]}
            if lacking:
                dropped[index] = [f for f in feats if not any(p[0] in lacking for p in parts_of(f))]
        return sample, dropped

    def _has_values(self, attribute: CriticalAttribute) -> bool:
        """Whether any asset has a usable value of the attribute (so it has counts)."""
        return any(
            record.values.get(attribute.name) is not None
            and attribute.applies_to(record.asset_type)
            for record in self.records
        )

    def _counted(self, attribute: CriticalAttribute) -> AttributeModel | None:
        part = AttributeModel(attribute)
        name = attribute.name
        for index, record in enumerate(self.records):
            value = record.values.get(name)
            if value is None or not attribute.applies_to(record.asset_type):
                continue
            for feature in self._feats[index]:
                if not leans_on(feature, name):
                    part.counts.add(feature, value, index)
        part.counts.freeze()
        return part if part.counts.by_feature else None

    def _pooled_calibration(self) -> Calibration:
        """The calibration pooled over every attribute's held-out outcomes, for an attribute
        with too few of its own (training every attribute once, on first need)."""
        if self._pooled is None:
            measured = [self._measure(a.name) for a in CATALOGUE]
            self._pooled = fit_isotonic(
                [o for part in measured if part is not None for o in part.outcomes]
            )
        return self._pooled

    def extra_gaps(self, target: str) -> dict[str, float]:
        """Per other attribute or column: how much more often an asset lacking the target
        lacks the other too, as a share of the held-out assets (which have the target) to
        drop it from. Gaps come together in real inventories (a tool that lacks one column
        lacks several); held out as they are, assets with the value would look better
        informed than those with the gap."""
        attribute = get_attribute(target)
        if attribute is None:
            return {}
        if self._known_sets is None:
            # What assets know repeats (one tool's export, one layout): counted once per kind.
            self._known_sets = Counter(
                (r.asset_type, frozenset(r.values) | frozenset(r.context)) for r in self.records
            )
        having: Counter = Counter()
        lacking: Counter = Counter()
        with_target = without_target = 0
        for (asset_type, known), assets in self._known_sets.items():
            if not attribute.applies_to(asset_type):
                continue
            if target in known:
                with_target += assets
                having.update(dict.fromkeys(known, assets))
            else:
                without_target += assets
                lacking.update(dict.fromkeys(known, assets))
        if not with_target or not without_target:
            return {}
        drops = {}
        for name in having:
            gap_with = 1 - having[name] / with_target
            gap_without = 1 - lacking[name] / without_target
            if gap_without > gap_with:
                drops[name] = (gap_without - gap_with) / (1 - gap_with)
        return drops

    def predict(self, record: AssetRecord, attribute_name: str) -> Prediction | None:
        """The value this asset most likely has, or None without any peer evidence."""
        part = self.trained(attribute_name)
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
        if self.sampled:
            group = f"sampled {group}"
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
