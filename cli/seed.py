"""python -m db upgrade | seed --demo"""

import argparse
import secrets

from pydantic import Field
from sqlalchemy import func, select

from cli.common import parsed
from config.settings import get_settings
from core.access import sessions
from core.access.passwords import hash_password
from core.flows.demo import create_demo_flows
from core.kernel.context import RequestContext
from core.kernel.edge import InputModel
from core.storage.account_unit_of_work import account_uow
from core.storage.unit_of_work import engagement_uow
from db.demo import DemoRandom, create_assets, create_tenants, create_user
from db.migrate import upgrade_and_grant
from db.models import ClientAccount
from db.session import open_session

ROLE_EMAILS = {
    "analyst": "analyst@demo.local",
    "manager": "manager@demo.local",
    "admin": "admin@demo.local",
}


class SeedArguments(InputModel):
    assets: int = Field(500, ge=1, le=100_000, title="Assets per engagement")
    seed: int = Field(7, title="Random seed")


def register(commands: argparse._SubParsersAction) -> None:
    commands.add_parser("upgrade", help="apply the migrations").set_defaults(run=upgrade)
    seed = commands.add_parser("seed", help="fill demo data")
    seed.add_argument("--demo", action="store_true", required=True)
    seed.add_argument("--assets", help="assets per engagement (default 500)")
    seed.add_argument("--seed", help="the demo's random seed (default 7)")
    seed.set_defaults(run=seed_command)


def upgrade(_args: argparse.Namespace) -> int:
    role = upgrade_and_grant()
    print(f"Schema up to date ({get_settings().database_url.split('@')[-1]}).")
    if role:
        print(f"Role {role} may read and write rows, under row-level security.")
    return 0


def seed_command(args: argparse.Namespace) -> int:
    arguments = parsed(SeedArguments, args)
    upgrade_and_grant()
    seed_demo(arguments.assets, arguments.seed)
    return 0


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
        with account_uow(db) as accounts:
            acting = sessions.start_operator_session(accounts, users["analyst"].id)
        for tenant in tenants:
            # The demo analyst where the demo accounts are members; the operator elsewhere
            # (every use case checks the membership of the user a context names).
            member = tenant.client_account_id == first.client_account_id
            ctx = RequestContext(
                tenant.client_account_id,
                tenant.engagement_id,
                user_id=users["analyst"].id if member else None,
                role="analyst",
                sign_in_session_id=acting if member else None,
            )
            with engagement_uow(ctx, db) as uow:
                create_demo_flows(uow, asset_ids[tenant], rng)
            print(
                f"{tenant.client_name} / {tenant.engagement_name}: "
                f"{assets_per_engagement} assets, 8 flows"
            )
        with account_uow(db) as accounts:
            sessions.end_session_id(accounts, acting)
    print(f"Demo accounts on {first.client_name} (passwords are shown only this once):")
    for role, email in ROLE_EMAILS.items():
        print(f"demo {role}: {email}  password: {passwords[role]}")
