"""python -m db import-assets FILE | export FLOW_ID, each on one engagement."""

import argparse
import os
import sys
import uuid
from pathlib import Path
from typing import BinaryIO

from pydantic import Field

from cli.common import parsed
from config.settings import get_settings
from core.access.accounts import find_client, find_engagement
from core.inventory.export import FORMATS, WHATS, Format, What, export_flow_to
from core.inventory.export_runs import start_export, write_exported_file
from core.inventory.importer import ImportReport, import_assets
from core.inventory.mapping_choices import MappingChoices
from core.inventory.saved_mappings import load_mapping
from core.kernel.context import RequestContext
from core.kernel.edge import CleanText, InputModel
from core.kernel.errors import BadRequest, CollectionError
from core.storage.account_unit_of_work import account_uow
from core.storage.unit_of_work import UnitOfWork, engagement_uow


class TenantArguments(InputModel):
    client: CleanText = Field(max_length=200, title="Client")
    engagement: CleanText = Field(max_length=200, title="Engagement")


class ImportArguments(TenantArguments):
    file: Path = Field(title="Inventory file")
    key: CleanText | None = Field(None, max_length=200, title="Key column")
    sheet: CleanText | None = Field(None, max_length=200, title="Sheet")
    map: list[CleanText] = Field(default_factory=list, max_length=500, title="Column mapping")
    mapping: CleanText | None = Field(None, max_length=100, title="Saved mapping")


class ExportArguments(TenantArguments):
    flow_id: uuid.UUID = Field(title="Flow id")
    what: What = Field(title="What to export")
    format: Format = Field("csv", title="File format")
    out: str = Field(min_length=1, title="Output file")
    on_worker: bool = Field(False, title="Prepare on a worker")
    fetch: bool = Field(False, title="Fetch the prepared file")


def register(commands: argparse._SubParsersAction) -> None:
    importing = commands.add_parser(
        "import-assets", help="create or update an engagement's assets from a CSV or .xlsx file"
    )
    importing.add_argument("file")
    importing.add_argument(
        "--key",
        help="the column that tells rows apart (asset tag, VM UUID, FQDN, or name+COLUMN such as"
        " name+datacenter); default the name",
    )
    importing.add_argument(
        "--sheet",
        help="the workbook's sheet to read; default the one whose rows are servers",
    )
    importing.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=ATTRIBUTE",
        help="read COLUMN as ATTRIBUTE (an asset field, custom_attributes.KEY or ignore);"
        " repeat for more columns; wins over --mapping",
    )
    importing.add_argument(
        "--mapping",
        metavar="NAME",
        help="a mapping saved on the Import page: its columns, units, value translations and"
        " row key (--key wins)",
    )
    importing.set_defaults(run=lambda args: import_inventory(parsed(ImportArguments, args)))
    exporting = commands.add_parser(
        "export", help="write a flow's gaps, questionnaires or assets as CSV or Excel"
    )
    exporting.add_argument("flow_id", help="the flow's id (the master flow id)")
    exporting.add_argument("--what", required=True, help=" | ".join(WHATS))
    exporting.add_argument("--format", help=" | ".join(FORMATS) + " (default csv)")
    exporting.add_argument("--out", required=True, help="the file to write, - for stdout")
    exporting.add_argument(
        "--on-worker",
        action="store_true",
        help="have a worker prepare the file (a whole flow of 100,000 assets) and return at once",
    )
    exporting.add_argument(
        "--fetch", action="store_true", help="write the file a worker prepared to --out"
    )
    exporting.set_defaults(run=lambda args: export(parsed(ExportArguments, args)))
    for command in (importing, exporting):
        command.add_argument("--client", required=True, help="client account name or id")
        command.add_argument("--engagement", required=True, help="engagement name or id")


def operator_context(arguments: TenantArguments) -> RequestContext:
    """The command line acts as an operator of the engagement the arguments name."""
    with account_uow() as uow:
        client = find_client(uow, arguments.client)
        engagement = find_engagement(uow, client, arguments.engagement)
    return RequestContext(client.id, engagement.id, role="admin")


def import_inventory(arguments: ImportArguments) -> int:
    try:
        ctx = operator_context(arguments)
        content = read_inventory(arguments.file)
        with engagement_uow(ctx) as uow:
            choices, key = chosen_mapping(uow, arguments)
            report = import_assets(
                uow,
                content,
                arguments.file.name,
                key=key,
                sheet=arguments.sheet,
                choices=choices,
            )
    except (OSError, CollectionError) as error:
        print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
        return 1
    print_import_report(report)
    return 0


def chosen_mapping(
    uow: UnitOfWork, arguments: ImportArguments
) -> tuple[MappingChoices | None, str | None]:
    """The saved mapping named, with the columns --map gives on top; the row key to use."""
    choices, key = None, arguments.key
    if arguments.mapping:
        saved = load_mapping(uow, arguments.mapping)
        choices, key = saved.choices, arguments.key or saved.key
    if arguments.map:
        columns = {}
        for given in arguments.map:
            column, sign, target = given.rpartition("=")
            if not sign or not column.strip() or not target.strip():
                raise BadRequest(f"--map {given!r}: write it COLUMN=ATTRIBUTE", field="map")
            columns[column.strip()] = target.strip()
        choices = (choices or MappingChoices()).with_columns(columns)
    return choices, key


def export(arguments: ExportArguments) -> int:
    flow_id = str(arguments.flow_id)
    try:
        with engagement_uow(operator_context(arguments)) as uow:
            if arguments.on_worker:
                start_export(uow, flow_id, arguments.what, arguments.format)
                print(
                    f"a worker prepares the {arguments.what} of flow {flow_id}; run the same"
                    " command with --fetch instead of --on-worker to write it"
                )
                return 0

            def write(target: BinaryIO) -> None:
                if arguments.fetch:  # the file a worker prepared
                    write_exported_file(uow, flow_id, target)
                else:
                    export_flow_to(uow, flow_id, arguments.what, arguments.format, target)

            if arguments.out == "-":
                write(sys.stdout.buffer)
                return 0
            # Written as it is read, beside the file it replaces once whole: a refused or
            # broken export leaves no half file.
            out = Path(arguments.out)
            partial = out.with_name(out.name + ".partial")
            try:
                with partial.open("wb") as target:
                    write(target)
                partial.replace(out)
            finally:
                partial.unlink(missing_ok=True)
    except (OSError, CollectionError) as error:
        print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
        return 1
    print(
        f"wrote {arguments.what} of flow {arguments.flow_id} to {arguments.out}"
        f" ({out.stat().st_size:,} bytes)"
    )
    return 0


def read_inventory(path: Path) -> bytes:
    """The file's bytes, refused unread when over the import's size limit (a CLI may be handed
    anything, /dev/zero included)."""
    from core.inventory.limits import file_too_large

    limit = get_settings().import_max_file_bytes
    with path.open("rb") as file:
        content = file.read(limit + 1)
        if len(content) > limit:
            raise file_too_large(max(os.fstat(file.fileno()).st_size, len(content)), limit)
    return content


def print_import_report(report: ImportReport, shown: int = 50) -> None:
    print(f"read as {report.profile}")
    if report.sheet is not None:
        print(f"servers read from {report.sheet_choice}")
    print(
        f"rows {report.rows}: created {report.created}, updated {report.updated},"
        f" unchanged {report.unchanged}, skipped {len(report.skipped)}"
    )
    for entry in report.skipped[:shown]:
        print(f"  row {entry['row']}: {entry['reason']}")
    if len(report.skipped) > shown:
        print(f"  ... and {len(report.skipped) - shown} more skipped rows")
    if report.row_notes:
        print(f"{len(report.row_notes)} row(s) imported with a note:")
        for entry in report.row_notes[:shown]:
            print(f"  row {entry['row']}: {entry['note']}")
        if len(report.row_notes) > shown:
            print(f"  ... and {len(report.row_notes) - shown} more")
