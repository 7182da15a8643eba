"""python -m db upgrade | seed --demo [--assets N] [--seed S]"""

import argparse
import logging
import sys

from sqlalchemy import func, select

from db.demo import DemoRandom, create_assets, create_tenants, create_user
from db.migrate import upgrade
from db.models import ClientAccount
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
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        upgrade()
        print(f"Schema up to date ({get_settings().database_url.split('@')[-1]}).")
    elif args.command == "seed":
        upgrade()
        seed_demo(args.assets, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
