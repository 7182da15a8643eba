"""How often predictions are right, and whether their confidence means what it says.

Reads inventories (the built-in RVTools, ServiceNow and AWS layouts, a mix of the three, and
any `--file` given) the way an import does, hides a share of the known values, predicts them
with the conditional model and with peer majority (the previous method), and prints one JSON
object per dataset and attribute, then, per given file, one with its OS hidden as a real
export loses it (bench/os_hidden.py), then one summary object.
    python bench/predictions.py [--hosts 3000] [--hide 0.2] [--file inventory.xlsx ...]
                                [--train-sample N]
`--train-sample N` learns from a sample of N of each dataset's assets, as a worker does past
PREDICTION_TRAINING_ASSETS, and predicts the hidden values of all of them.
"""

import argparse
import json
import random
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.os_hidden import evaluate_os_hidden  # noqa: E402
from bench.prediction_data import LAYOUTS  # noqa: E402
from core.catalogue.attributes import TYPED_ASSET_FIELDS  # noqa: E402
from core.enhancement.agents import predict_from_peers  # noqa: E402
from core.enhancement.calibration import expected_calibration_error  # noqa: E402
from core.enhancement.features import AssetRecord, record_from_row  # noqa: E402
from core.enhancement.predictor import PredictionModel  # noqa: E402
from core.enhancement.training_sample import training_sample  # noqa: E402
from core.inventory.files import read_table  # noqa: E402
from core.inventory.rows import RowConverter, RowProblem, default_asset_type  # noqa: E402

BANDS = ((0.0, 0.5), (0.5, 0.8), (0.8, 1.01))


def records_of(content: bytes, filename: str) -> list[AssetRecord]:
    """The file's assets as an import would store them, read as the model reads assets."""
    table = read_table(content, filename)
    # As the import reads it: the profile of the tool that wrote it finishes each row (the OS
    # split into family and version, its build apart, the platform).
    convert = RowConverter(
        table.columns, default_asset_type(table.columns, table.profile), table.profile
    )
    records = []
    for number, cells in table.rows():
        try:
            row = convert(number, cells)
        except RowProblem:
            continue
        fields = {name: row.values.get(name) for name in TYPED_ASSET_FIELDS}
        custom = {key: value for key, value in row.custom.items() if value is not None}
        asset = SimpleNamespace(
            id=uuid.uuid4(), name=row.name, asset_type=row.values["asset_type"],
            custom_attributes=custom, **fields,
        )  # fmt: skip
        records.append(record_from_row(asset, source_file=Path(filename).name))
    return records


def hide(
    records: list[AssetRecord], share: float, rng: random.Random
) -> tuple[list[AssetRecord], list[tuple[int, str, Any]]]:
    """The records with a share of their values removed, and what was removed."""
    hidden: list[tuple[int, str, Any]] = []
    visible = []
    for index, record in enumerate(records):
        kept = {}
        for name, value in record.values.items():
            if rng.random() < share:
                hidden.append((index, name, value))
            else:
                kept[name] = value
        visible.append(
            AssetRecord(record.asset_id, record.name, record.asset_type, kept, record.context)
        )
    return visible, hidden


def peer_majority(visible: list[AssetRecord]) -> dict[tuple[str, str], Counter]:
    counts: dict[tuple[str, str], Counter] = {}
    for record in visible:
        for name, value in record.values.items():
            counts.setdefault((record.asset_type, name), Counter())[value] += 1
    return counts


def scores(outcomes: list[tuple[float, bool]], hidden: int) -> dict[str, Any]:
    right = sum(r for _, r in outcomes)
    bands = {}
    for low, high in BANDS:
        inside = [r for c, r in outcomes if low <= c < high]
        bands[f"{low:.1f}-{min(high, 1):.1f}"] = {
            "n": len(inside),
            "accuracy": round(sum(inside) / len(inside), 3) if inside else None,
        }
    return {
        "accuracy": round(right / len(outcomes), 3) if outcomes else None,
        "accuracy_of_hidden": round(right / hidden, 3) if hidden else None,
        "coverage": round(len(outcomes) / hidden, 3) if hidden else None,
        "ece": round(expected_calibration_error(outcomes), 3),
        "bands": bands,
    }


def evaluate(
    dataset: str,
    records: list[AssetRecord],
    share: float,
    seed: int,
    train_sample: int | None = None,
) -> list[dict]:
    rng = random.Random(seed)
    visible, hidden = hide(records, share, rng)
    started = time.perf_counter()
    learnt_from = visible
    if train_sample is not None:
        # As a worker learns from a big engagement: from a sample, predicting for every asset.
        by_id = {record.asset_id: record for record in visible}
        chosen, _ = training_sample(by_id, train_sample)
        learnt_from = [by_id[asset_id] for asset_id in chosen]
    model = PredictionModel.train(learnt_from, sampled=len(learnt_from) < len(visible))
    trained_seconds = time.perf_counter() - started
    majority = peer_majority(visible)
    by_attribute: dict[str, dict[str, list[tuple[float, bool]]]] = {}
    counted: Counter = Counter()
    for index, name, truth in hidden:
        counted[name] += 1
        outcomes = by_attribute.setdefault(name, {"conditional": [], "peer_majority": []})
        prediction = model.predict(visible[index], name)
        if prediction is not None:
            outcomes["conditional"].append((prediction.confidence, prediction.value == truth))
        peers = majority.get((visible[index].asset_type, name), Counter())
        value, confidence, _ = predict_from_peers(peers)
        if value is not None and confidence is not None:
            outcomes["peer_majority"].append((confidence, value == truth))
    lines = []
    for name, outcomes in sorted(by_attribute.items()):
        ours = scores(outcomes["conditional"], counted[name])
        theirs = scores(outcomes["peer_majority"], counted[name])
        gain = None
        if ours["accuracy_of_hidden"] is not None and theirs["accuracy_of_hidden"] is not None:
            gain = round(ours["accuracy_of_hidden"] - theirs["accuracy_of_hidden"], 3)
        lines.append(
            {
                "dataset": dataset,
                "attribute": name,
                "hidden": counted[name],
                "conditional": ours,
                "peer_majority": theirs,
                "accuracy_gain": gain,
                "train_seconds": round(trained_seconds, 2),
                "assets": len(records),
                "trained_on": len(learnt_from),
            }  # fmt: skip
        )
    return lines


def summary(lines: list[dict]) -> dict[str, Any]:
    pooled = [(line["conditional"], line) for line in lines if line["hidden"] >= 50]
    high = [line["conditional"]["bands"]["0.8-1.0"] for line in lines]
    high_n = sum(band["n"] for band in high)
    high_right = sum(band["n"] * (band["accuracy"] or 0) for band in high)
    return {
        "summary": True,
        "attributes": len(lines),
        "max_ece": max((ours["ece"] for ours, _ in pooled), default=None),
        "mean_gain": round(
            sum(line["accuracy_gain"] or 0 for _, line in pooled) / max(1, len(pooled)), 3
        ),
        "accuracy_at_confidence_0_8": round(high_right / high_n, 3) if high_n else None,
        "predictions_at_confidence_0_8": high_n,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=3000)
    parser.add_argument("--hide", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--file", action="append", default=[], help="an inventory to measure on")
    parser.add_argument(
        "--train-sample", type=int, default=None, help="learn from a sample of this many assets"
    )
    args = parser.parse_args()
    datasets: list[tuple[str, list[AssetRecord]]] = []
    mixed: list[AssetRecord] = []
    for offset, (layout, build) in enumerate(LAYOUTS.items()):
        records = records_of(build(random.Random(args.seed + offset), args.hosts), f"{layout}.csv")
        datasets.append((layout, records))
        mixed.extend(records[: args.hosts // 3])
    datasets.append(("mixed", mixed))
    for path in args.file:
        datasets.append((Path(path).name, records_of(Path(path).read_bytes(), path)))
    lines = []
    for dataset, records in datasets:
        lines.extend(evaluate(dataset, records, args.hide, args.seed, args.train_sample))
    # A given file is also measured as a real export loses its OS: every OS column of a
    # quarter of its VMs blank.
    checks = [evaluate_os_hidden(dataset, records, 0.25, args.seed) for dataset, records in datasets[len(LAYOUTS) + 1 :]]  # fmt: skip
    for line in lines + checks:
        print(json.dumps(line))
    print(json.dumps(summary(lines)))


if __name__ == "__main__":
    main()
