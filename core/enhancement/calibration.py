"""Turning a model's score into a probability that the prediction is right, measured.

Scores of held-out predictions (score, was it right) are fitted with isotonic regression
(pool-adjacent-violators): the calibrated confidence never falls as the score rises, and
each level is the observed accuracy of the predictions it pools. Between levels the map is
linear. `expected_calibration_error` is how the benchmark checks the result.
"""

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

# A level pooled from few held-out predictions is shrunk toward the overall accuracy.
MIN_LEVEL_WEIGHT = 10
MIN_BIN = 40


@dataclass(frozen=True)
class Calibration:
    """A monotone map from score to probability; the identity when nothing was measured."""

    scores: tuple[float, ...] = ()
    probabilities: tuple[float, ...] = ()

    def __call__(self, score: float) -> float:
        if not self.scores:
            return score
        if score <= self.scores[0]:
            return self.probabilities[0]
        if score >= self.scores[-1]:
            return self.probabilities[-1]
        right = bisect_left(self.scores, score)
        left = right - 1
        span = self.scores[right] - self.scores[left]
        weight = (score - self.scores[left]) / span if span else 1.0
        return self.probabilities[left] + weight * (
            self.probabilities[right] - self.probabilities[left]
        )


def fit_isotonic(outcomes: Sequence[tuple[float, bool]]) -> Calibration:
    """The calibration learnt from held-out (score, right) pairs."""
    if not outcomes:
        return Calibration()
    # Blocks of [sum of scores, sum of hits, count], merged while accuracy would fall.
    # Equal scores are one measurement: pooled before fitting, whatever their order.
    by_score: dict[float, list[float]] = {}
    for score, right in outcomes:
        pooled = by_score.setdefault(score, [0.0, 0.0, 0.0])
        pooled[0] += score
        pooled[1] += right
        pooled[2] += 1
    blocks: list[list[float]] = []
    for bin_ in _bins([by_score[score] for score in sorted(by_score)]):
        blocks.append(bin_)
        while len(blocks) > 1 and (blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]):
            last = blocks.pop()
            blocks[-1] = [a + b for a, b in zip(blocks[-1], last, strict=True)]
    # Laplace: a handful of held-out predictions, all right, is not certainty.
    overall = (sum(right for _, right in outcomes) + 1) / (len(outcomes) + 2)
    scores, probabilities = [], []
    for score_sum, hits, count in blocks:
        mean_score = score_sum / count
        # A thinly measured level leans on the overall accuracy (a prior worth
        # MIN_LEVEL_WEIGHT predictions), not on the score: raw scores run optimistic.
        probability = (hits + MIN_LEVEL_WEIGHT * overall) / (count + MIN_LEVEL_WEIGHT)
        scores.append(mean_score)
        probabilities.append(probability)
    # Shrinking can break monotonicity between neighbours; restore it.
    for index in range(1, len(probabilities)):
        probabilities[index] = max(probabilities[index], probabilities[index - 1])
    return Calibration(tuple(scores), tuple(probabilities))


def _bins(measured: list[list[float]]) -> list[list[float]]:
    """Neighbouring scores pooled until each bin holds MIN_BIN predictions: levels fitted
    on a handful of predictions would chase noise."""
    bins: list[list[float]] = []
    for block in measured:
        if bins and bins[-1][2] < MIN_BIN:
            bins[-1] = [a + b for a, b in zip(bins[-1], block, strict=True)]
        else:
            bins.append(list(block))
    if len(bins) > 1 and bins[-1][2] < MIN_BIN:
        last = bins.pop()
        bins[-1] = [a + b for a, b in zip(bins[-1], last, strict=True)]
    return bins


def expected_calibration_error(outcomes: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Mean |confidence - accuracy| over equal-width confidence bins, weighted by size."""
    if not outcomes:
        return 0.0
    binned: list[list[tuple[float, bool]]] = [[] for _ in range(bins)]
    for confidence, right in outcomes:
        binned[min(bins - 1, int(confidence * bins))].append((confidence, right))
    total = 0.0
    for members in binned:
        if members:
            confidence = sum(c for c, _ in members) / len(members)
            accuracy = sum(r for _, r in members) / len(members)
            total += len(members) * abs(confidence - accuracy)
    return total / len(outcomes)
