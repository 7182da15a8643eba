"""python -m db upgrade | seed --demo | users add EMAIL | import-assets FILE | export FLOW_ID"""

import argparse
import getpass
import logging
import os
import secrets
import sys
from pathlib import Path

from sqlalchemy import func, select

from db.demo import DemoRandom, create_assets, create_tenants, create_user
from db.migrate import upgrade_and_grant
from db.models import ClientAccount
from db.session import open_session
from db.settings import get_settings

ROLE_EMAILS = {
    "analyst": "analyst@demo.local",
    "manager": "manager@demo.local",
    "admin": "admin@demo.local",
}


def seed_demo(assets_per_engagement: int, seed: int) -> None:
    from core.access.passwords import hash_password
    from core.flows.demo import create_demo_flows
    from core.kernel.context import RequestContext
    from core.storage.unit_of_work import uow_for

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


def add_user(args: argparse.Namespace) -> int:
    from core.access.accounts import add_member, find_client, find_engagement
    from core.kernel.errors import CollectionError
    from db.models import User

    with open_session() as db:
        try:
            client = find_client(db, args.client)
            engagement = find_engagement(db, client, args.engagement) if args.engagement else None
            email = args.email.strip().lower()
            is_new = db.scalar(select(func.count()).where(User.email == email)) == 0
            password = read_password() if is_new else None
            user, created = add_member(
                db,
                args.email,
                args.role,
                client,
                engagement,
                password=password,
                display_name=args.name,
            )
        except CollectionError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 2
    where = f"{client.name} / {engagement.name if engagement else 'all engagements'}"
    print(f"{'Created' if created else 'Updated'} {user.email}: {args.role} on {where}.")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="apply the migrations")
    seed = commands.add_parser("seed", help="fill demo data")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.add_argument("--assets", type=int, default=500, help="assets per engagement")
    seed.add_argument("--seed", type=int, default=7)
    users = commands.add_parser("users", help="local accounts").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="create an account or give it one more membership")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=("analyst", "manager", "admin"))
    add.add_argument("--client", required=True, help="client account name or id")
    add.add_argument("--engagement", help="engagement name or id (default: all of the client)")
    add.add_argument("--name", help="display name of a new account")
    add_import_export_commands(commands)
    args = parser.parse_args(argv)
    if args.command in IMPORT_EXPORT_COMMANDS:
        return run_import_export(args)
    if args.command == "upgrade":
        role = upgrade_and_grant()
        print(f"Schema up to date ({get_settings().database_url.split('@')[-1]}).")
        if role:
            print(f"Role {role} may read and write rows, under row-level security.")
    elif args.command == "seed":
        upgrade_and_grant()
        seed_demo(args.assets, args.seed)
    elif args.command == "users":
        return add_user(args)
    return 0


IMPORT_EXPORT_COMMANDS = ("import-assets", "export")


def add_import_export_commands(commands) -> None:
    importing = commands.add_parser(
        "import-assets", help="create or update an engagement's assets from a CSV or .xlsx file"
    )
    importing.add_argument("file", type=Path)
    exporting = commands.add_parser(
        "export", help="write a flow's gaps, questionnaires or assets as CSV or Excel"
    )
    exporting.add_argument("flow_id", help="the flow's id (the master flow id)")
    exporting.add_argument("--what", choices=("gaps", "questionnaires", "assets"), required=True)
    exporting.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    exporting.add_argument("--out", required=True, help="the file to write, - for stdout")
    for command in (importing, exporting):
        command.add_argument("--client", required=True, help="client account name or id")
        command.add_argument("--engagement", required=True, help="engagement name or id")


def run_import_export(args) -> int:
    from core.access.accounts import find_client, find_engagement
    from core.inventory.export import export_flow
    from core.inventory.importer import import_assets
    from core.kernel.context import RequestContext
    from core.kernel.errors import CollectionError

    with open_session() as db:
        try:
            client = find_client(db, args.client)
            engagement = find_engagement(db, client, args.engagement)
            # The command line runs as an operator of the engagement.
            ctx = RequestContext(client.id, engagement.id, role="admin")
            if args.command == "import-assets":
                report = import_assets(db, ctx, read_inventory(args.file), args.file.name)
                print_import_report(report)
                return 0
            content = export_flow(db, ctx, args.flow_id, args.what, args.format)
        except (OSError, CollectionError) as error:
            print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
            return 1
    if args.out == "-":
        sys.stdout.buffer.write(content)
    else:
        Path(args.out).write_bytes(content)
        print(f"wrote {args.what} of flow {args.flow_id} to {args.out} ({len(content):,} bytes)")
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


if __name__ == "__main__":
    sys.exit(main())
