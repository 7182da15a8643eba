"""What the prediction model reads of an asset."""

import uuid
from types import SimpleNamespace

from core.catalogue.attributes import TYPED_ASSET_FIELDS
from core.enhancement.features import (
    AssetRecord,
    describe_feature,
    features_of,
    grouping_keys,
    leans_on,
    name_tokens,
    parts_of,
    plural_of,
    record_from_row,
)


def test_hostname_tokens_are_its_words_without_digits():
    assert name_tokens("WEB-prd-03.corp") == ["corp", "prd", "web"]
    assert name_tokens("srv00123") == ["srv"]


def test_a_record_keeps_usable_values_and_the_placement_of_the_asset():
    fields = dict.fromkeys(TYPED_ASSET_FIELDS) | {"environment": "TBD", "business_owner": "Noor"}
    row = SimpleNamespace(
        id=uuid.uuid4(), name="crm-prd-01", asset_type="virtual_machine",
        custom_attributes={"cluster": "PROD-A", "network_zone": "dmz", "flag": True}, **fields,
    )  # fmt: skip
    record = record_from_row(row)
    assert record.values == {"business_owner": "Noor", "network_zone": "dmz"}
    assert record.context == {"cluster": "PROD-A"}


def test_groupings_are_keys_whose_values_repeat():
    records = [
        AssetRecord(uuid.uuid4(), f"h{i}", "server", {}, {"cluster": "AB"[i % 2], "serial": str(i)})
        for i in range(10)
    ]
    assert grouping_keys(records) == {"cluster"}
    assert ("cluster", "A") in features_of(records[0], {"cluster"})
    assert ("asset type", "server") in features_of(records[0], {"cluster"})


def test_peers_are_named_by_their_kind():
    assert plural_of(["virtual_machine", "virtual_machine"]) == "VMs"
    assert plural_of(["server", "database"]) == "assets"


def test_a_grouping_is_paired_with_each_known_choice_and_reads_as_both():
    record = AssetRecord(
        uuid.uuid4(), "x", "server", {"environment": "production", "os_version": "RHEL 8"},
        {"application": "billing"},
    )  # fmt: skip

    pairs = [f for f in features_of(record, {"application"}) if len(parts_of(f)) == 2]

    assert [describe_feature(f) for f in pairs] == [
        "application billing with environment production"
    ]
    assert leans_on(pairs[0], "environment") and not leans_on(pairs[0], "application_version")
