"""python -m db upgrade | seed --demo | users add EMAIL | import-assets FILE | export FLOW_ID"""

import argparse
import getpass
import logging
import os
import secrets
import sys
import uuid
from pathlib import Path
from typing import TypeVar

from pydantic import Field
from sqlalchemy import func, select

from core.access.accounts import add_member, find_client, find_engagement, has_account
from core.access.passwords import hash_password
from core.flows.demo import create_demo_flows
from core.inventory.export import FORMATS, WHATS, Format, What, export_flow
from core.inventory.importer import import_assets
from core.kernel.context import ROLES, RequestContext, Role
from core.kernel.edge import CleanText, InputModel, parse_input
from core.kernel.errors import BadRequest, CollectionError
from core.storage.account_unit_of_work import account_uow
from core.storage.unit_of_work import uow_for
from db.demo import DemoRandom, create_assets, create_tenants, create_user
from db.migrate import upgrade_and_grant
from db.models import ClientAccount
from db.session import open_session
from db.settings import get_settings

M = TypeVar("M", bound=InputModel)

ROLE_EMAILS = {
    "analyst": "analyst@demo.local",
    "manager": "manager@demo.local",
    "admin": "admin@demo.local",
}


# What each command takes, checked before anything is read or written.
class SeedArguments(InputModel):
    assets: int = Field(500, ge=1, le=100_000, title="Assets per engagement")
    seed: int = Field(7, title="Random seed")


class AddUserArguments(InputModel):
    email: CleanText = Field(max_length=320, title="Email")
    role: Role = Field(title="Role")
    client: CleanText = Field(max_length=200, title="Client")
    engagement: CleanText | None = Field(None, max_length=200, title="Engagement")
    name: CleanText | None = Field(None, max_length=200, title="Display name")


class TenantArguments(InputModel):
    client: CleanText = Field(max_length=200, title="Client")
    engagement: CleanText = Field(max_length=200, title="Engagement")


class ImportArguments(TenantArguments):
    file: Path = Field(title="Inventory file")


class ExportArguments(TenantArguments):
    flow_id: uuid.UUID = Field(title="Flow id")
    what: What = Field(title="What to export")
    format: Format = Field("csv", title="File format")
    out: str = Field(min_length=1, title="Output file")


def seed_demo(assets_per_engagement: int, seed: int) -> None:
    rng = DemoRandom(seed)
    with open_session() as db:
        if db.scalar(select(func.count()).select_from(ClientAccount)):
            print("The database already holds data; demo seed skipped.")
            return
        tenants = create_tenants(db, rng)
        first = tenants[0]
        # Random passwords (not from the seeded generator), shown once below.
        passwords = {role: secrets.token_urlsafe(12) for role in ROLE_EMAILS}
        users = {
            role: create_user(
                db,
                rng,
                email,
                role,
                first.client_account_id,
                password_hash=hash_password(passwords[role]),
            )
            for role, email in ROLE_EMAILS.items()
        }
        asset_ids = {
            tenant: create_assets(db, rng, tenant, assets_per_engagement) for tenant in tenants
        }
        db.commit()
        for tenant in tenants:
            # The demo analyst where the demo accounts are members; the operator elsewhere
            # (every use case checks the membership of the user a context names).
            member = tenant.client_account_id == first.client_account_id
            ctx = RequestContext(
                tenant.client_account_id,
                tenant.engagement_id,
                user_id=users["analyst"].id if member else None,
                role="analyst",
            )
            with uow_for(ctx, db) as uow:
                create_demo_flows(uow, asset_ids[tenant], rng)
            print(
                f"{tenant.client_name} / {tenant.engagement_name}: "
                f"{assets_per_engagement} assets, 8 flows"
            )
    print(f"Demo accounts on {first.client_name} (passwords are shown only this once):")
    for role, email in ROLE_EMAILS.items():
        print(f"demo {role}: {email}  password: {passwords[role]}")


def read_password() -> str:
    """Prompted twice on a terminal; the first line of stdin otherwise (for scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise SystemExit("The passwords differ; nothing changed.")
    return password


def add_user(arguments: AddUserArguments) -> int:
    try:
        with account_uow() as uow:
            client = find_client(uow, arguments.client)
            engagement = (
                find_engagement(uow, client, arguments.engagement) if arguments.engagement else None
            )
            is_new = not has_account(uow, arguments.email)
        # Asked outside any transaction: nothing stays locked while someone types.
        password = read_password() if is_new else None
        with account_uow() as uow:
            user, created = add_member(
                uow,
                arguments.email,
                arguments.role,
                client,
                engagement,
                password=password,
                display_name=arguments.name,
            )
    except CollectionError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    where = f"{client.name} / {engagement.name if engagement else 'all engagements'}"
    print(f"{'Created' if created else 'Updated'} {user.email}: {arguments.role} on {where}.")
    return 0


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
        with uow_for(ctx) as uow:
            report = import_assets(uow, content, arguments.file.name)
    except (OSError, CollectionError) as error:
        print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
        return 1
    print_import_report(report)
    return 0


def export(arguments: ExportArguments) -> int:
    try:
        with uow_for(operator_context(arguments)) as uow:
            content = export_flow(uow, str(arguments.flow_id), arguments.what, arguments.format)
        if arguments.out == "-":
            sys.stdout.buffer.write(content)
            return 0
        Path(arguments.out).write_bytes(content)
    except (OSError, CollectionError) as error:
        print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
        return 1
    print(
        f"wrote {arguments.what} of flow {arguments.flow_id} to {arguments.out}"
        f" ({len(content):,} bytes)"
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


def print_import_report(report, shown: int = 50) -> None:
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


def parser() -> argparse.ArgumentParser:
    """The commands and where their arguments go; their values are checked by the models."""
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="apply the migrations")
    seed = commands.add_parser("seed", help="fill demo data")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.add_argument("--assets", help="assets per engagement (default 500)")
    seed.add_argument("--seed", help="the demo's random seed (default 7)")
    users = commands.add_parser("users", help="local accounts").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="create an account or give it one more membership")
    add.add_argument("email")
    add.add_argument("--role", required=True, help=" | ".join(ROLES))
    add.add_argument("--client", required=True, help="client account name or id")
    add.add_argument("--engagement", help="engagement name or id (default: all of the client)")
    add.add_argument("--name", help="display name of a new account")
    importing = commands.add_parser(
        "import-assets", help="create or update an engagement's assets from a CSV or .xlsx file"
    )
    importing.add_argument("file")
    exporting = commands.add_parser(
        "export", help="write a flow's gaps, questionnaires or assets as CSV or Excel"
    )
    exporting.add_argument("flow_id", help="the flow's id (the master flow id)")
    exporting.add_argument("--what", required=True, help=" | ".join(WHATS))
    exporting.add_argument("--format", help=" | ".join(FORMATS) + " (default csv)")
    exporting.add_argument("--out", required=True, help="the file to write, - for stdout")
    for command in (importing, exporting):
        command.add_argument("--client", required=True, help="client account name or id")
        command.add_argument("--engagement", required=True, help="engagement name or id")
    return parser


def parsed(model: type[M], args: argparse.Namespace) -> M:
    """The command's arguments as `model`; an option left out takes the model's default."""
    given = vars(args).items()
    return parse_input(model, {k: v for k, v in given if k in model.model_fields and v is not None})


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    args = parser().parse_args(argv)
    try:
        if args.command == "upgrade":
            role = upgrade_and_grant()
            print(f"Schema up to date ({get_settings().database_url.split('@')[-1]}).")
            if role:
                print(f"Role {role} may read and write rows, under row-level security.")
        elif args.command == "seed":
            arguments = parsed(SeedArguments, args)
            upgrade_and_grant()
            seed_demo(arguments.assets, arguments.seed)
        elif args.command == "users":
            return add_user(parsed(AddUserArguments, args))
        elif args.command == "import-assets":
            return import_inventory(parsed(ImportArguments, args))
        elif args.command == "export":
            return export(parsed(ExportArguments, args))
    except BadRequest as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
