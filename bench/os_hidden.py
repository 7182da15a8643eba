"""The OS held out as a real export loses it: a quarter of the VMs without any OS column.

Hiding only the catalogue's OS values would leave the raw OS columns (configuration file,
VMware Tools) beside them, and the family would be read back from those. Here a hidden VM
loses its OS family, version and every `os_*` column; a domain-controller-like VM
("ad-dc-02", placed in another cluster as one VM in ten is) probes whether the name's peers
are heard. One JSON object per file: OS family accuracy against the peer majority, the
version's accuracy and calibration error (ECE), and the ECE that a perfectly calibrated model
would show on as many predictions (`ece_floor`: a few hundred hidden values leave ~0.04).
"""

import random
from collections import Counter
from typing import Any

from core.enhancement.agents import predict_from_peers
from core.enhancement.calibration import expected_calibration_error
from core.enhancement.features import AssetRecord
from core.enhancement.predictor import PredictionModel

OS_ATTRIBUTES = ("operating_system", "os_version")
PROBE_NAME = "ad-dc-02"
# Draws of outcomes from the confidences themselves, to measure the ECE's sampling floor.
FLOOR_DRAWS = 200


def ece_floor(outcomes: list[tuple[float, bool]], seed: int) -> float:
    """The mean ECE a perfectly calibrated model with these confidences would show on this
    many predictions: each one right with its own confidence. Below it, ECE is noise."""
    rng = random.Random(seed)
    draws = [
        expected_calibration_error([(c, rng.random() < c) for c, _ in outcomes])
        for _ in range(FLOOR_DRAWS)
    ]
    return sum(draws) / FLOOR_DRAWS if outcomes else 0.0


def without_os(record: AssetRecord, name: str | None = None) -> AssetRecord:
    """The record as an export without its OS columns would give it."""
    values = {k: v for k, v in record.values.items() if k not in OS_ATTRIBUTES}
    context = {k: v for k, v in record.context.items() if not k.startswith("os_")}
    return AssetRecord(record.asset_id, name or record.name, record.asset_type, values, context)


def _probe(records: list[AssetRecord]) -> AssetRecord | None:
    """A Windows domain controller, renamed, in the cluster most of whose VMs run Linux."""
    controllers = [
        r
        for r in records
        if r.values.get("operating_system") == "Windows" and r.name.lower().startswith("dc")
    ]
    linux = Counter(
        r.context.get("cluster") for r in records if r.values.get("operating_system") == "Linux"
    )
    if not controllers or not linux:
        return None
    probe = without_os(controllers[0], PROBE_NAME)
    probe.context["cluster"] = str(linux.most_common(1)[0][0])
    return probe


def evaluate_os_hidden(dataset: str, records: list[AssetRecord], share: float, seed: int) -> dict:
    rng = random.Random(seed)
    visible, hidden = [], []
    for index, record in enumerate(records):
        if "operating_system" in record.values and rng.random() < share:
            visible.append(without_os(record))
            hidden.append(index)
        else:
            visible.append(record)
    probe = _probe(records)
    model = PredictionModel.train(visible)
    majority: dict[tuple[str, str], Counter] = {}
    for record in visible:
        for name in OS_ATTRIBUTES:
            if name in record.values:
                majority.setdefault((record.asset_type, name), Counter())[record.values[name]] += 1
    line: dict[str, Any] = {"dataset": dataset, "check": "os_hidden", "hidden": len(hidden)}
    for name in OS_ATTRIBUTES:
        ours: list[tuple[float, bool]] = []
        theirs = 0
        truths = [(i, records[i].values[name]) for i in hidden if name in records[i].values]
        for index, truth in truths:
            prediction = model.predict(visible[index], name)
            if prediction is not None:
                ours.append((prediction.confidence, prediction.value == truth))
            peers = majority.get((records[index].asset_type, name), Counter())
            theirs += predict_from_peers(peers)[0] == truth
        line[name] = {
            "n": len(truths),
            "accuracy": round(sum(r for _, r in ours) / max(1, len(truths)), 3),
            "peer_majority": round(theirs / max(1, len(truths)), 3),
            "ece": round(expected_calibration_error(ours), 3),
            "ece_floor": round(ece_floor(ours, seed), 3),
        }
    if probe is not None:
        guess = model.predict(probe, "operating_system")
        line["probe"] = {
            "name": PROBE_NAME,
            "cluster": probe.context.get("cluster"),
            "family": guess.value if guess else None,
            "confidence": guess.confidence if guess else None,
        }
    return line
