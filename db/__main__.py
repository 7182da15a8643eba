"""python -m db upgrade | seed --demo [--assets N] [--seed S] | users add EMAIL --role ROLE ..."""

import argparse
import getpass
import logging
import secrets
import sys

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
    from core.context import RequestContext
    from core.demo import create_demo_flows
    from core.passwords import hash_password

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
    from core.accounts import add_member, find_client, find_engagement
    from core.errors import CollectionError
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
    args = parser.parse_args(argv)
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


if __name__ == "__main__":
    sys.exit(main())
