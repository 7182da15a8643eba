"""Export a flow's gaps, its questionnaires with answers, or its assets as CSV or Excel.

The files are written by `core.inventory.spreadsheet`, which keeps formula-like text from running.

The asset export is an inventory the importer reads back unchanged: its headers are the
asset fields themselves (custom attributes by their key), so a re-import changes nothing.
"""

import re
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.orm import Session

from core.access import audit
from core.catalogue.attributes import CATALOGUE, TYPED_ASSET_FIELD_ORDER, get_attribute
from core.flows.reads import get_flow, list_gaps, list_questionnaires
from core.inventory.column_mapping import export_header
from core.inventory.spreadsheet import csv_file, xlsx_file
from core.kernel.context import RequestContext
from core.kernel.inputs import parse_choice
from core.kernel.permissions import Action, require
from core.questionnaires.generation import responses_by_question
from core.storage.assets import AssetRepository
from core.storage.unit_of_work import atomic
from db.models import CollectionFlow

WHATS = ("gaps", "questionnaires", "assets")
FORMATS = ("csv", "xlsx")
ASSET_COLUMNS = ("name", "asset_type", *TYPED_ASSET_FIELD_ORDER)
CATALOGUE_CUSTOM = tuple(a.name for a in CATALOGUE if not a.is_typed_column)
GAP_COLUMNS = (
    "asset_name",
    "field_name",
    "attribute",
    "gap_type",
    "gap_category",
    "priority",
    "impact_on_sixr",
    "description",
    "suggested_resolution",
    "predicted_value",
    "confidence_score",
    "resolution_status",
    "resolved_value",
    "resolved_at",
    "source_agent",
    "asset_id",
    "gap_id",
)
QUESTION_COLUMNS = (
    "questionnaire",
    "asset_name",
    "questionnaire_status",
    "field_name",
    "question",
    "question_type",
    "required",
    "priority",
    "default",
    "confidence",
    "answer",
    "validation_status",
    "validation_message",
    "question_id",
    "questionnaire_id",
)
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


def export_flow(db: Session, ctx: RequestContext, flow_id: str, what: str, fmt: str) -> bytes:
    """The file's bytes; 404 for a flow of another tenant, 403 without the export right."""
    require(db, ctx, Action.EXPORT)
    what = parse_choice(what, "what", WHATS)
    fmt = parse_choice(fmt, "format", FORMATS)
    with atomic(db):
        flow = get_flow(db, ctx, flow_id)
        header, rows = _TABLES[what](db, ctx, flow)
        rows = list(rows)
        audit.record(db, ctx, "flow_exported", flow_id=flow.flow_id, what=what, format=fmt)
    return csv_file(header, rows) if fmt == "csv" else xlsx_file(what, header, rows)


def export_filename(flow: CollectionFlow, what: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", flow.flow_name.lower()).strip("-")[:60] or "flow"
    return f"{slug}-{what}.{fmt}"


def _asset_names(db: Session, ctx: RequestContext, asset_ids: Iterable[uuid.UUID]) -> dict:
    assets = AssetRepository(db, ctx.client_account_id, ctx.engagement_id)
    return {
        asset.id: asset.name for batch in assets.iter_by_ids(list(asset_ids)) for asset in batch
    }


def _gap_table(db: Session, ctx: RequestContext, flow: CollectionFlow) -> Table:
    gaps = list_gaps(db, ctx, str(flow.flow_id))
    names = _asset_names(db, ctx, {gap.asset_id for gap in gaps})
    gaps.sort(key=lambda gap: (names.get(gap.asset_id, ""), gap.priority, gap.field_name))
    rows = (
        (
            names.get(gap.asset_id, ""),
            gap.field_name,
            attribute.label if (attribute := get_attribute(gap.field_name)) else gap.field_name,
            gap.gap_type,
            gap.gap_category,
            gap.priority,
            gap.impact_on_sixr,
            gap.description,
            gap.suggested_resolution,
            gap.predicted_value,
            gap.confidence_score,
            gap.resolution_status,
            gap.resolved_value,
            gap.resolved_at,
            gap.source_agent,
            gap.asset_id,
            gap.id,
        )
        for gap in gaps
    )
    return GAP_COLUMNS, rows


def _questionnaire_table(db: Session, ctx: RequestContext, flow: CollectionFlow) -> Table:
    questionnaires = list_questionnaires(db, ctx, str(flow.flow_id))
    names = _asset_names(db, ctx, {item.asset_id for item in questionnaires})
    responses = responses_by_question(db, [item.id for item in questionnaires])
    rows = []
    for questionnaire in questionnaires:
        for question in questionnaire.questions:
            response = responses.get((questionnaire.id, question["id"]))
            rows.append(
                (
                    questionnaire.title,
                    names.get(questionnaire.asset_id, ""),
                    questionnaire.status,
                    question.get("field_name"),
                    question.get("label"),
                    question.get("type"),
                    question.get("required"),
                    question.get("priority"),
                    question.get("default"),
                    question.get("confidence"),
                    response.value.get("answer") if response else None,
                    response.validation_status if response else None,
                    response.validation_message if response else None,
                    question["id"],
                    questionnaire.id,
                )
            )
    return QUESTION_COLUMNS, rows


def _asset_table(db: Session, ctx: RequestContext, flow: CollectionFlow) -> Table:
    selected = [uuid.UUID(value) for value in flow.collection_config.get("selected_asset_ids", [])]
    repository = AssetRepository(db, ctx.client_account_id, ctx.engagement_id)
    assets = sorted(
        (asset for batch in repository.iter_by_ids(selected) for asset in batch),
        key=lambda asset: asset.name,
    )
    other_keys = sorted(
        {key for asset in assets for key in (asset.custom_attributes or {})} - set(CATALOGUE_CUSTOM)
    )
    custom_keys = (*CATALOGUE_CUSTOM, *other_keys)
    header = (*ASSET_COLUMNS, *(export_header(key) for key in custom_keys))
    rows = (
        (
            *(getattr(asset, column) for column in ASSET_COLUMNS),
            *((asset.custom_attributes or {}).get(key) for key in custom_keys),
        )
        for asset in assets
    )
    return header, rows


_TABLES = {"gaps": _gap_table, "questionnaires": _questionnaire_table, "assets": _asset_table}
