"""Which kinds of feature an attribute's predictions may use, chosen on held-out assets.

A kind (cluster, a hostname token, the OS family...) must first be right more often than
the asset type alone on the assets it covers; then kinds are added best first, each only if
it makes held-out predictions righter. Kinds that say the same thing (owner, folder and
cluster all follow the application) would otherwise be counted twice by naive Bayes.
"""

from collections.abc import Sequence
from typing import Any, Protocol

from core.catalogue.attributes import CriticalAttribute
from core.enhancement.features import ASSET_TYPE, PAIR, AssetRecord, Feature, leans_on

# A kind is considered when, held out, it was tried on at least this many assets.
MIN_KIND_TRIALS = 5
# Held-out assets on which each added kind of feature must prove itself...
SELECTION_SAMPLE = 400
# ...by making at least this share of them more right (less would be chance on that sample).
MIN_GAIN = 0.01
# Only the kinds best on their own are tried together: each try is a pass over the sample.
MAX_CANDIDATES = 8


class Predicts(Protocol):
    attribute: CriticalAttribute

    def best(
        self, feats: Sequence[Feature], asset_type: str, own: Any = None, kinds: Any = None
    ) -> tuple[float, int, Feature, Any] | None: ...


def useful_kinds(
    part: Predicts,
    sample: Sequence[int],
    records: Sequence[AssetRecord],
    feats: list[list[Feature]],
) -> set[str]:
    """The feature kinds that, held out, beat the asset type alone on the assets they cover."""
    trials: dict[str, list[int]] = {}  # kind -> [right, right by what it is made of, tried]
    trial = sample[:SELECTION_SAMPLE]
    for index in trial:
        record = records[index]
        own = record.values[part.attribute.name]
        by_type = part.best([], record.asset_type, own, {ASSET_TYPE})
        if by_type is None:
            continue
        by_kind: dict[str, list[Feature]] = {}
        for feature in feats[index]:
            if feature[0] != ASSET_TYPE and not leans_on(feature, part.attribute.name):
                by_kind.setdefault(feature[0], []).append(feature)
        right_alone: dict[str, bool] = {}
        for kind, features in by_kind.items():
            alone = part.best(features, record.asset_type, own, {kind})
            if alone is not None:
                right_alone[kind] = alone[3] == own
        for kind, right in right_alone.items():
            # A pair must beat each of its parts, not only the asset type: else it is one
            # of them again, with fewer peers.
            baseline = by_type[3] == own or any(right_alone.get(p, False) for p in parts(kind))
            tally = trials.setdefault(kind, [0, 0, 0])
            tally[0] += right
            tally[1] += baseline
            tally[2] += 1
    better = sorted(
        (
            (right / tried, kind)
            for kind, (right, baseline, tried) in trials.items()
            if tried >= MIN_KIND_TRIALS and right > baseline
        ),
        reverse=True,
    )[:MAX_CANDIDATES]
    # Features that say the same thing (owner, folder and cluster all follow the application)
    # would be counted twice: add kinds best first, each only if it makes held-out
    # predictions righter.
    chosen = {ASSET_TYPE}
    accuracy = _accuracy(part, trial, records, feats, chosen)
    for _, kind in better:
        with_kind = _accuracy(part, trial, records, feats, chosen | {kind})
        if with_kind > accuracy + MIN_GAIN:
            chosen.add(kind)
            accuracy = with_kind
    return chosen


def parts(kind: str) -> list[str]:
    """The kinds a pair kind is made of; none for a single kind."""
    return kind.split(PAIR) if PAIR in kind else []


def _accuracy(
    part: Predicts,
    sample: Sequence[int],
    records: Sequence[AssetRecord],
    feats: list[list[Feature]],
    kinds: set[str],
) -> float:
    name = part.attribute.name
    right = 0
    for index in sample:
        own = records[index].values[name]
        best = part.best(feats[index], records[index].asset_type, own, kinds)
        right += best is not None and best[3] == own
    return right / max(1, len(sample))
