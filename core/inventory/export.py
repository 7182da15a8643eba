"""Export a flow's gaps, its questionnaires with answers, or its assets as CSV or Excel, or its
assets as the Azure Migrate and AWS Migration Hub import CSVs (core/inventory/migration_templates).

The files are written by `core.inventory.spreadsheet`, which keeps formula-like text from running.

Every header and every name the product gives a value (a field, a gap type, a status, an
asset type) is written in people's words (core.catalogue.labels); what people typed or imported
(names, answers, values) is written as it is. The asset export is an inventory the importer reads
back unchanged: each header is a field's label that the column mapping reads as that field.
"""

import io
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, BinaryIO, Literal, get_args

from pydantic import Field

from core.access import audit
from core.catalogue import labels
from core.catalogue.attributes import CATALOGUE, TYPED_ASSET_FIELD_ORDER
from core.catalogue.schema import priority_label
from core.inventory.column_mapping import CUSTOM_PREFIX, export_header
from core.inventory.migration_templates import (
    aws_migration_hub_table,
    azure_migrate_table,
    most_disks,
)
from core.inventory.spreadsheet import write_csv, write_xlsx
from core.inventory.value_sources import value_sources_table
from core.kernel.edge import InputModel, parse_input
from core.kernel.errors import BadRequest
from core.kernel.inputs import parse_uuid
from core.kernel.permissions import Action
from core.questionnaires.generation import responses_by_question
from core.storage.unit_of_work import UnitOfWork
from db.models import Asset, CollectionFlow

What = Literal["gaps", "questionnaires", "assets", "sources", "azure_migrate", "aws_migration_hub"]
Format = Literal["csv", "xlsx"]
WHATS: tuple[str, ...] = get_args(What)
FORMATS: tuple[str, ...] = get_args(Format)
# The next tools' import sheets: CSV files by their templates' definition.
CSV_ONLY = frozenset({"azure_migrate", "aws_migration_hub"})
ASSET_COLUMNS = ("name", "asset_type", *TYPED_ASSET_FIELD_ORDER)
CATALOGUE_CUSTOM = tuple(a.name for a in CATALOGUE if not a.is_typed_column)
GAP_COLUMNS = (
    "asset_name",
    "field_name",
    "gap_type",
    "gap_category",
    "priority",
    "impact_on_sixr",
    "description",
    "suggested_resolution",
    "predicted_value",
    "confidence_score",
    "evidence",
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
GAP_HEADER = tuple(labels.column_label(column) for column in GAP_COLUMNS)
QUESTION_HEADER = tuple(labels.column_label(column) for column in QUESTION_COLUMNS)
Table = tuple[Sequence[str], Iterable[Sequence[Any]]]


class ExportRequest(InputModel):
    flow_id: uuid.UUID = Field(title="Flow")
    what: What = Field(title="What to export")
    format: Format = Field(title="File format")


def export_flow(uow: UnitOfWork, flow_id: str, what: str, fmt: str) -> bytes:
    """The file's bytes; 404 for a flow of another tenant, 403 without the export right."""
    buffer = io.BytesIO()
    export_flow_to(uow, flow_id, what, fmt, buffer)
    return buffer.getvalue()


def export_flow_to(uow: UnitOfWork, flow_id: str, what: str, fmt: str, target: BinaryIO) -> None:
    """`export_flow` written to `target` as the rows are read (gaps, questionnaires and the
    migration templates in batches from the database): a whole estate's file never sits in
    memory. Refusals come before the first byte."""
    uow.require(Action.EXPORT)
    request = parse_input(ExportRequest, {"flow_id": flow_id, "what": what, "format": fmt})
    if request.what in CSV_ONLY and request.format != "csv":
        raise BadRequest(
            f"the {labels.export_label(request.what)} template is a CSV file", field="format"
        )
    flow = uow.flow(request.flow_id)
    header, rows = _TABLES[request.what](uow, flow)
    audit.record(
        uow, "flow_exported", flow_id=flow.flow_id, what=request.what, format=request.format
    )
    if request.format == "csv":
        write_csv(target, header, rows)
    else:
        write_xlsx(target, labels.export_label(request.what), header, rows)


def export_filenames(uow: UnitOfWork, flow_id: str) -> dict[tuple[str, str], str]:
    """The name of each file `export_flow` makes of the flow, by (what, format)."""
    uow.require(Action.VIEW)
    flow = uow.flow(parse_uuid(flow_id, "flow_id"))
    return {
        (what, fmt): export_filename(flow, what, fmt)
        for what in WHATS
        for fmt in FORMATS
        if fmt == "csv" or what not in CSV_ONLY
    }


def export_filename(flow: CollectionFlow, what: str, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", flow.flow_name.lower()).strip("-")[:60] or "flow"
    return f"{slug}-{what.replace('_', '-')}.{fmt}"  # a name people read, as the slug


def _gap_table(uow: UnitOfWork, flow: CollectionFlow) -> Table:
    rows = (
        (
            gap.asset_name,
            labels.field_label(gap.field_name),
            labels.gap_type_label(gap.gap_type),
            labels.category_label(gap.gap_category),
            priority_label(gap.priority),
            _label_or_blank(labels.words, gap.impact_on_sixr),
            gap.description,
            gap.suggested_resolution,
            gap.predicted_value,
            gap.confidence_score,
            (gap.ai_suggestions or {}).get("evidence"),
            labels.gap_status_label(gap.resolution_status),
            gap.resolved_value,
            gap.resolved_at,
            labels.agent_label(gap.source_agent),
            gap.asset_id,
            gap.id,
        )
        for gap in uow.gaps.iter_with_asset_names(flow.id)
    )
    return GAP_HEADER, rows


def _label_or_blank(label: Callable[[str], str], name: str | None) -> str:
    return label(name) if name else ""


def _questionnaire_table(uow: UnitOfWork, flow: CollectionFlow) -> Table:
    return QUESTION_HEADER, _questionnaire_rows(uow, flow)


def _questionnaire_rows(uow: UnitOfWork, flow: CollectionFlow) -> Iterator[tuple[Any, ...]]:
    for batch in uow.questionnaires.iter_with_asset_names(flow.id):
        responses = responses_by_question(uow.session, [item.id for item in batch])
        for questionnaire in batch:
            status = labels.questionnaire_status_label(questionnaire.status)
            for question in questionnaire.questions:
                response = responses.get((questionnaire.id, question["id"]))
                priority = question.get("priority")
                yield (
                    questionnaire.title,
                    questionnaire.asset_name or "",
                    status,
                    _label_or_blank(labels.field_label, question.get("field_name")),
                    question.get("label"),
                    _label_or_blank(labels.question_type_label, question.get("type")),
                    labels.yes_no(question.get("required")),
                    priority_label(priority) if priority is not None else "",
                    question.get("default"),
                    question.get("confidence"),
                    response.value.get("answer") if response else None,
                    labels.answer_check_label(response.validation_status) if response else "",
                    response.validation_message if response else None,
                    question["id"],
                    questionnaire.id,
                )


def _flow_assets(uow: UnitOfWork, flow: CollectionFlow) -> list[Asset]:
    selected = [uuid.UUID(value) for value in flow.collection_config.get("selected_asset_ids", [])]
    return sorted(
        (asset for batch in uow.assets.iter_by_ids(selected) for asset in batch),
        key=lambda asset: asset.name,
    )


def _asset_table(uow: UnitOfWork, flow: CollectionFlow) -> Table:
    assets = _flow_assets(uow, flow)
    other_keys = sorted(
        {key for asset in assets for key in (asset.custom_attributes or {})} - set(CATALOGUE_CUSTOM)
    )
    custom_keys = (*CATALOGUE_CUSTOM, *other_keys)
    header = (
        *(export_header(column) for column in ASSET_COLUMNS),
        *(export_header(CUSTOM_PREFIX + key) for key in custom_keys),
    )
    rows = (
        (
            asset.name,
            labels.asset_type_label(asset.asset_type),
            *(getattr(asset, column) for column in TYPED_ASSET_FIELD_ORDER),
            *((asset.custom_attributes or {}).get(key) for key in custom_keys),
        )
        for asset in assets
    )
    return header, rows


def _flow_assets_by_name(uow: UnitOfWork, flow: CollectionFlow) -> Iterator[Asset]:
    return uow.assets.iter_selected_by_name(flow.collection_config.get("selected_asset_ids", []))


def _azure_migrate_table(uow: UnitOfWork, flow: CollectionFlow) -> Table:
    # Two passes over the assets as they stream: the disk column groups, then the rows.
    disks = most_disks(_flow_assets_by_name(uow, flow))
    return azure_migrate_table(_flow_assets_by_name(uow, flow), disks)


_TABLES: dict[str, Callable[[UnitOfWork, CollectionFlow], Table]] = {
    "gaps": _gap_table,
    "questionnaires": _questionnaire_table,
    "assets": _asset_table,
    "sources": value_sources_table,
    "azure_migrate": _azure_migrate_table,
    "aws_migration_hub": lambda uow, flow: aws_migration_hub_table(_flow_assets_by_name(uow, flow)),
}
