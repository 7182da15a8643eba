"""Core speaks plain text: no HTML in what it says, and people's text comes back verbatim
(the dashboard renders it as text, so it never runs)."""

import ast
import re
from pathlib import Path

from core import flows
from core.orchestrator import MasterFlowOrchestrator

ROOT = Path(__file__).parent.parent
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


def test_no_string_in_core_holds_html():
    found = []
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and TAG.search(node.value):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_markup_in_a_flow_name_is_kept_as_text(db, tenant):
    name = '<img src=x onerror="alert(1)"> **bold** [link](javascript:alert(1))'
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name=name)
    assert flows.get_flow(db, tenant, flow_id).flow_name == name
