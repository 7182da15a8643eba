"""python -m db upgrade | seed --demo [--assets N] [--seed S] | import-assets FILE | export FLOW_ID"""

import argparse
import logging
import sys
import uuid
from pathlib import Path

from sqlalchemy import func, select

from db.demo import DemoRandom, create_assets, create_tenants, create_user
from db.migrate import upgrade
from db.models import ClientAccount, Engagement
from db.session import open_session
from db.settings import get_settings

ROLE_EMAILS = {
    "analyst": "analyst@demo.local",
    "manager": "manager@demo.local",
    "admin": "admin@demo.local",
}


def seed_demo(assets_per_engagement: int, seed: int) -> None:
    from core.context import RequestContext
    from core.demo import create_demo_flows

    rng = DemoRandom(seed)
    with open_session() as db:
        if db.scalar(select(func.count()).select_from(ClientAccount)):
            print("The database already holds data; demo seed skipped.")
            return
        tenants = create_tenants(db, rng)
        first = tenants[0]
        users = {
            role: create_user(db, rng, email, role, first.client_account_id)
            for role, email in ROLE_EMAILS.items()
        }
        asset_ids = {
            tenant: create_assets(db, rng, tenant, assets_per_engagement) for tenant in tenants
        }
        db.commit()
        for tenant in tenants:
            ctx = RequestContext(
                tenant.client_account_id,
                tenant.engagement_id,
                user_id=users["analyst"].id,
                role="analyst",
            )
            create_demo_flows(db, ctx, asset_ids[tenant], rng)
            print(
                f"{tenant.client_name} / {tenant.engagement_name}: "
                f"{assets_per_engagement} assets, 8 flows"
            )
    for role, email in ROLE_EMAILS.items():
        print(f"demo {role}: {email}")


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(prog="python -m db", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="apply the migrations")
    seed = commands.add_parser("seed", help="fill demo data")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.add_argument("--assets", type=int, default=500, help="assets per engagement")
    seed.add_argument("--seed", type=int, default=7)
    add_import_export_commands(commands)
    args = parser.parse_args(argv)
    if args.command in IMPORT_EXPORT_COMMANDS:
        return run_import_export(args)
    if args.command == "upgrade":
        upgrade()
        print(f"Schema up to date ({get_settings().database_url.split('@')[-1]}).")
    elif args.command == "seed":
        upgrade()
        seed_demo(args.assets, args.seed)
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


def resolve_engagement(db, client: str, engagement: str) -> tuple[uuid.UUID, uuid.UUID]:
    """(client_account_id, engagement_id) from names or ids; LookupError when unknown."""
    client_row = db.scalars(select(ClientAccount).where(_named(ClientAccount, client))).first()
    if client_row is None:
        raise LookupError(f"no client account {client!r}")
    engagement_row = db.scalars(
        select(Engagement)
        .where(Engagement.client_account_id == client_row.id)
        .where(_named(Engagement, engagement))
    ).first()
    if engagement_row is None:
        raise LookupError(f"no engagement {engagement!r} of {client_row.name}")
    return client_row.id, engagement_row.id


def _named(model, name_or_id: str):
    try:
        return model.id == uuid.UUID(name_or_id.strip())
    except ValueError:
        return model.name == name_or_id.strip()


def run_import_export(args) -> int:
    from core.asset_import import import_assets
    from core.context import RequestContext
    from core.errors import CollectionError
    from core.export import export_flow

    with open_session() as db:
        try:
            client_id, engagement_id = resolve_engagement(db, args.client, args.engagement)
            # The command line runs as an operator of the engagement.
            ctx = RequestContext(client_id, engagement_id, role="admin")
            if args.command == "import-assets":
                report = import_assets(db, ctx, args.file.read_bytes(), args.file.name)
                print_import_report(report)
                return 0
            content = export_flow(db, ctx, args.flow_id, args.what, args.format)
        except (LookupError, OSError, CollectionError) as error:
            print(f"error: {getattr(error, 'message', None) or error}", file=sys.stderr)
            return 1
    if args.out == "-":
        sys.stdout.buffer.write(content)
    else:
        Path(args.out).write_bytes(content)
        print(f"wrote {args.what} of flow {args.flow_id} to {args.out} ({len(content):,} bytes)")
    return 0


def print_import_report(report, shown: int = 50) -> None:
    print(
        f"rows {report.rows}: created {report.created}, updated {report.updated},"
        f" unchanged {report.unchanged}, skipped {len(report.skipped)}"
    )
    for entry in report.skipped[:shown]:
        print(f"  row {entry['row']}: {entry['reason']}")
    if len(report.skipped) > shown:
        print(f"  ... and {len(report.skipped) - shown} more skipped rows")


if __name__ == "__main__":
    sys.exit(main())
