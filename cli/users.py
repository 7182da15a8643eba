"""python -m db users add EMAIL | list | deactivate EMAIL | activate EMAIL | unlock EMAIL |
set-password EMAIL"""

import argparse
import getpass
import sys

from pydantic import Field

from cli.common import parsed, refused, run_on_accounts
from core.access import credentials
from core.access.accounts import (
    AccountSummary,
    add_member,
    find_account,
    find_client,
    find_engagement,
    has_account,
    list_accounts,
    set_active,
)
from core.kernel.context import ROLES, Role
from core.kernel.edge import CleanText, InputModel
from core.kernel.errors import BadRequest, CollectionError
from core.storage.account_unit_of_work import AccountUnitOfWork, account_uow


class AddUserArguments(InputModel):
    email: CleanText = Field(max_length=320, title="Email")
    role: Role = Field(title="Role")
    client: CleanText = Field(max_length=200, title="Client")
    engagement: CleanText | None = Field(None, max_length=200, title="Engagement")
    name: CleanText | None = Field(None, max_length=200, title="Display name")


class ListUsersArguments(InputModel):
    client: CleanText | None = Field(None, min_length=1, max_length=200, title="Client")


class EmailArguments(InputModel):
    email: CleanText = Field(min_length=1, max_length=320, title="Email")


def register(commands: argparse._SubParsersAction) -> None:
    users = commands.add_parser("users", help="local accounts").add_subparsers(
        dest="users_command", required=True
    )
    add = users.add_parser("add", help="create an account or give it one more membership")
    add.add_argument("email")
    add.add_argument("--role", required=True, help=" | ".join(ROLES))
    add.add_argument("--client", required=True, help="client account name or id")
    add.add_argument("--engagement", help="engagement name or id (default: all of the client)")
    add.add_argument("--name", help="display name of a new account")
    add.set_defaults(run=lambda args: add_user(parsed(AddUserArguments, args)))
    listing = users.add_parser("list", help="the accounts and their roles")
    listing.add_argument("--client", help="only the members of this client (name or id)")
    listing.set_defaults(run=list_users)
    for active, verb in ((False, "deactivate"), (True, "activate")):
        command = users.add_parser(verb, help=f"{verb} an account (sign-in and every membership)")
        command.add_argument("email")
        command.set_defaults(run=lambda args, active=active: activate(args, active))
    unlock = users.add_parser("unlock", help="forget an account's failed sign-ins")
    unlock.add_argument("email")
    unlock.set_defaults(run=unlock_account)
    password = users.add_parser(
        "set-password", help="give an account a new password (prompted, or stdin's first line)"
    )
    password.add_argument("email")
    password.set_defaults(run=set_password)


def read_password() -> str:
    """Prompted twice on a terminal; the first line of stdin otherwise (for scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        raise BadRequest("the passwords differ; nothing changed", field="password")
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
        return refused(error)
    where = f"{client.name} / {engagement.name if engagement else 'all engagements'}"
    print(f"{'Created' if created else 'Updated'} {user.email}: {arguments.role} on {where}.")
    return 0


def list_users(args: argparse.Namespace) -> int:
    def accounts_of(
        uow: AccountUnitOfWork, arguments: ListUsersArguments
    ) -> tuple[str, list[AccountSummary]]:
        client = find_client(uow, arguments.client) if arguments.client else None
        return (f" on {client.name}" if client else ""), list_accounts(uow, client)

    def report(result: tuple[str, list[AccountSummary]]) -> None:
        where, accounts = result
        if not accounts:
            print(f"No accounts{where}.")
        for account in accounts:
            state = "" if account.active else " (deactivated)"
            print(f"{account.email}{state}: {'; '.join(account.roles) or 'no membership'}")

    return run_on_accounts(ListUsersArguments, args, accounts_of, report)


def activate(args: argparse.Namespace, active: bool) -> int:
    def change(uow: AccountUnitOfWork, arguments: EmailArguments) -> tuple[str, bool]:
        user, changed = set_active(uow, arguments.email, active)
        return user.email, changed

    def report(result: tuple[str, bool]) -> None:
        email, changed = result
        state = "active" if active else "deactivated"
        print(f"{email} is {state}{'' if changed else ' already'}.")

    return run_on_accounts(EmailArguments, args, change, report)


def unlock_account(args: argparse.Namespace) -> int:
    def unlock(uow: AccountUnitOfWork, arguments: EmailArguments) -> tuple[str, int]:
        user, cleared = credentials.unlock(uow, arguments.email)
        return user.email, cleared

    def report(result: tuple[str, int]) -> None:
        email, cleared = result
        if cleared:
            print(f"{email} is unlocked: failed sign-ins from {cleared} address(es) forgotten.")
        else:
            print(f"{email} had no failed sign-ins to forget.")

    return run_on_accounts(EmailArguments, args, unlock, report)


def set_password(args: argparse.Namespace) -> int:
    try:
        arguments = parsed(EmailArguments, args)
        with account_uow() as uow:
            find_account(uow, arguments.email)
        # Asked outside any transaction, and only of an account that exists.
        password = read_password()
        with account_uow() as uow:
            email = credentials.set_password(uow, arguments.email, password).email
    except CollectionError as error:
        return refused(error)
    print(f"{email} has a new password.")
    return 0
