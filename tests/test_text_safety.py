"""Core speaks plain text: no HTML in what it says, and people's text comes back verbatim
(the dashboard renders it as text, so it never runs), less the bidirectional controls that
would make it read differently from what is stored."""

import ast
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from core.access.accounts import add_member
from core.access.identity import sign_in_oidc
from core.flows import reads as flows
from core.flows.orchestrator import MasterFlowOrchestrator
from core.gaps.listing import page_gaps
from core.inventory.importer import import_assets
from core.inventory.listing import page_assets
from core.questionnaires.answers import list_answers, save_answers
from db.models import Asset, ClientAccount
from tests.core.inventory_files import to_csv
from tests.factories import flow_in_manual_collection, in_uow, on_accounts

pytestmark = pytest.mark.both_backends

ROOT = Path(__file__).parent.parent
TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
RLO, PDF, LRI, PDI = "\u202e", "\u202c", "\u2066", "\u2069"


def test_no_string_in_core_holds_html():
    found = []
    for path in (ROOT / "core").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            # A regular expression's named group, "(?P<version>", is no tag.
            if is_text and TAG.search(node.value.replace("(?P<", "(?P")):
                found.append(f"{path.name}:{node.lineno}")
    assert found == []


def test_markup_in_a_flow_name_is_kept_as_text(db, uow_of, tenant):
    name = '<img src=x onerror="alert(1)"> **bold** [link](javascript:alert(1))'
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(flow_name=name)
    with uow_of(tenant) as uow:
        assert flows.get_flow(uow, flow_id).flow_name == name


def test_a_flow_name_loses_its_bidi_controls_so_it_reads_as_stored(db, uow_of, tenant):
    # Shown raw, this name reads "Wave 1 invoice.exe"; stored, it holds "exe.invoice".
    flow_id = MasterFlowOrchestrator(db, tenant).create_flow(
        flow_name=f"Wave 1 {RLO}exe.invoice{PDF}"
    )
    with uow_of(tenant) as uow:
        assert flows.get_flow(uow, flow_id).flow_name == "Wave 1 exe.invoice"


def test_filters_lose_their_bidi_controls_and_still_match(db, uow_of, tenant, make_assets):
    [asset] = make_assets(tenant, 1, operating_system=None)
    flow_id = flow_in_manual_collection(db, tenant, [asset], name="Wave 1")
    hidden = f"{LRI}{asset.name[:6]}{PDI}"
    with uow_of(tenant) as uow:
        assert [flow.flow_name for flow in flows.list_flows(uow, name_contains=f"{RLO}Wave")]
        assert page_gaps(uow, flow_id, {"asset_name_contains": hidden}).total > 0
    assert in_uow(db, tenant, page_assets, {"name_contains": hidden}).total == 1


def test_display_names_lose_their_bidi_controls(db, tenant):
    client = db.get(ClientAccount, tenant.client_account_id)
    user, _ = on_accounts(
        db,
        add_member,
        "pat@example.com",
        "analyst",
        client,
        password="correct horse 42",
        display_name=f"{RLO}Pat",
    )
    assert user.display_name == "Pat"
    on_accounts(db, add_member, "lee@example.com", "analyst", client, password="correct horse 42")
    signed_in = on_accounts(db, sign_in_oidc, "lee@example.com", f"Lee{LRI} Park{PDI}")
    assert signed_in.display_name == "Lee Park"


def test_an_answer_keeps_its_lines_and_loses_its_bidi_controls(db, uow_of, tenant, make_assets):
    flow_id = flow_in_manual_collection(db, tenant, make_assets(tenant, 1, business_owner=None))
    with uow_of(tenant) as uow:
        [questionnaire] = flows.list_questionnaires(uow, flow_id)
        question = next(q for q in questionnaire.questions if q["field_name"] == "business_owner")
        answer = f"Dana Ortiz{RLO}\n\tand Lee Park"
        save_answers(uow, flow_id, str(questionnaire.id), {question["id"]: answer})
    with uow_of(tenant) as uow:
        saved = list_answers(uow, flow_id)[str(questionnaire.id)][question["id"]]
    assert saved["answer"] == "Dana Ortiz\n\tand Lee Park"


def test_imported_asset_names_lose_bidi_controls_and_rows_with_a_broken_name_are_skipped(
    db, tenant
):
    content = to_csv(
        ["Name", "Type"],
        [[f"{RLO}srv-01", "server"], ["srv\n-02", "server"], [f"{LRI}{PDI}", "server"]],
    )
    report = in_uow(db, tenant, import_assets, content, "inventory.csv")
    assert report.created == 1
    assert report.skipped == [
        {"row": 3, "column": "Name", "value": "srv\n-02", "reason": "the name must be one line"},
        {"row": 4, "column": "Name", "value": "", "reason": "no name: the name column is empty"},
    ]
    assert list(db.scalars(select(Asset.name))) == ["srv-01"]
