"""The words of a prediction's evidence: a sentence a person can check against the inventory.

"14 of 16 VMs in cluster PROD-A have operating system version RHEL 8";
"hostname token 'prd' → production, 41 of 43 VMs";
"9 of 10 VMs in application billing with environment production have business criticality
high".
"""

import uuid
from dataclasses import dataclass
from typing import Any

from core.catalogue.attributes import CATALOGUE, CriticalAttribute
from core.enhancement.features import ASSET_TYPE, NAME_TOKEN, Feature, describe_feature


@dataclass(frozen=True)
class Prediction:
    value: Any
    confidence: float
    basis: str  # the feature in words
    sentence: str
    agreeing: int
    peers: int
    supporting_asset_ids: tuple[uuid.UUID, ...]
    alternatives: tuple[tuple[str, int], ...]

    def evidence(self) -> dict[str, Any]:
        """What is stored with the gap (JSON): the basis and the assets it leaned on."""
        return {
            "method": "conditional",
            "basis": self.basis,
            "evidence": self.sentence,
            "agreeing_peers": self.agreeing,
            "peers_with_value": self.peers,
            "supporting_asset_ids": [str(i) for i in self.supporting_asset_ids],
            "alternatives": [[value, count] for value, count in self.alternatives],
        }


def basis_of(feature: Feature) -> str:
    """What a prediction leaned on, in a few words: "cluster PROD-A"."""
    if feature[0] == ASSET_TYPE:
        return "asset type"
    if feature[0] == NAME_TOKEN:
        return f"hostname token '{feature[1]}'"
    return describe_feature(feature)


def sentence_of(
    attribute: CriticalAttribute,
    feature: Feature,
    value: Any,
    agreeing: int,
    peers: int,
    group: str,
) -> str:
    """The evidence sentence: how many of which peers have the predicted value."""
    label = attribute.label[0].lower() + attribute.label[1:]
    if feature[0] == NAME_TOKEN:
        return f"hostname token '{feature[1]}' → {value}, {agreeing} of {peers} {group}"
    if feature[0] == ASSET_TYPE:
        return f"{agreeing} of {peers} {group} have {label} {value} (the most common)"
    where = "with" if any(a.name == feature[0] for a in CATALOGUE) else "in"
    return f"{agreeing} of {peers} {group} {where} {describe_feature(feature)} have {label} {value}"
