"""The assets a prediction model learns from: a bounded sample, the same in every process."""

import json
import os
import random
import sys
import uuid
from pathlib import Path

from core.enhancement.training_sample import training_sample
from tests.processes import run_in_group

ROOT = Path(__file__).resolve().parents[3]


def ids(count: int) -> list[uuid.UUID]:
    return [uuid.UUID(int=number) for number in range(1, count + 1)]


def test_the_sample_is_bounded_and_the_same_whatever_order_the_assets_come_in():
    estate = ids(5_000)
    shuffled = random.Random(4).sample(estate, len(estate))

    chosen, of = training_sample(estate, 1_000)

    assert len(chosen) == 1_000 and of == 5_000
    assert training_sample(shuffled, 1_000) == (chosen, 5_000)
    assert len(set(chosen)) == 1_000 and set(chosen) <= set(estate)


def test_an_engagement_under_the_limit_is_learnt_from_whole():
    estate = ids(300)

    chosen, of = training_sample(estate, 1_000)

    assert sorted(chosen) == estate and of == 300


def test_an_asset_added_changes_the_sample_by_at_most_one_asset():
    estate = ids(3_000)
    before, _ = training_sample(estate, 1_000)

    after, _ = training_sample([*estate, uuid.UUID(int=99_999)], 1_000)

    assert len(set(before) - set(after)) <= 1


# Another process, under another string hash seed, samples an estate and predicts from it.
_PREDICT = """
import json, random, uuid
from core.enhancement.features import AssetRecord, grouping_keys
from core.enhancement.predictor import PredictionModel
from core.enhancement.training_sample import training_sample

rng = random.Random(5)
estate = []
for number in range(4_000):
    app = rng.choice(("billing", "crm", "wiki", "hr"))
    env = rng.choice(("prd", "dev", "tst"))
    values = {"environment": {"prd": "production", "dev": "development", "tst": "test"}[env]}
    if rng.random() < 0.9:
        values["business_owner"] = f"owner of {app}"
    estate.append(AssetRecord(uuid.UUID(int=number + 1), f"{app}-{env}-{number}",
                              "virtual_machine", values, {"application": app}))
by_id = {record.asset_id: record for record in estate}
chosen, of = training_sample(reversed([record.asset_id for record in estate]), 1_500)
records = [by_id[asset_id] for asset_id in chosen]
model = PredictionModel(records, grouping_keys(records), sampled=len(chosen) < of)
asked = AssetRecord(uuid.UUID(int=0), "crm-prd-77", "virtual_machine", {}, {"application": "crm"})
found = {}
for name in ("business_owner", "environment"):
    prediction = model.predict(asked, name)
    found[name] = [str(prediction.value), prediction.confidence, prediction.sentence,
                   [str(i) for i in prediction.supporting_asset_ids]]
print(json.dumps({"sample": [str(i) for i in chosen], "predictions": found,
                  "trained": sorted(model.attributes)}))
"""


def _run_with_hash_seed(seed: str) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    done = run_in_group([sys.executable, "-c", _PREDICT], timeout=120, check=True, env=env)
    return json.loads(done.stdout)


def test_the_sample_and_its_predictions_are_the_same_in_every_process():
    first, second = _run_with_hash_seed("1"), _run_with_hash_seed("2")

    assert first == second
    assert len(first["sample"]) == 1_500
    owner = first["predictions"]["business_owner"]
    assert owner[0] == "owner of crm" and owner[2].endswith(" sampled VMs")
    # Only what was asked for was trained.
    assert first["trained"] == ["business_owner", "environment"]
