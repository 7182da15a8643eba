"""The flow-config registry: which service executes the phases of each flow type."""

from dataclasses import dataclass
from typing import Any

from core.flows.child_flow_service import CollectionChildFlowService


@dataclass(frozen=True)
class FlowConfig:
    flow_type: str
    display_name: str
    child_flow_service: type[Any] | None


FLOW_CONFIGS: dict[str, FlowConfig] = {
    "collection": FlowConfig(
        flow_type="collection",
        display_name="Collection",
        child_flow_service=CollectionChildFlowService,
    ),
}
