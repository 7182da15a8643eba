"""python -m db clients add NAME | list; engagements add NAME --client C | list [--client C]"""

import argparse

from pydantic import Field

from cli.common import run_on_accounts
from core.access import tenants
from core.kernel.edge import CleanText, InputModel
from core.storage.account_unit_of_work import account_uow
from db.models import ClientAccount, Engagement


class ClientArguments(InputModel):
    name: CleanText = Field(min_length=1, max_length=200, title="Client name")


class EngagementArguments(InputModel):
    name: CleanText = Field(min_length=1, max_length=200, title="Engagement name")
    client: CleanText = Field(min_length=1, max_length=200, title="Client")


class ListEngagementsArguments(InputModel):
    client: CleanText | None = Field(None, min_length=1, max_length=200, title="Client")


def register(commands: argparse._SubParsersAction) -> None:
    clients = commands.add_parser("clients", help="client accounts").add_subparsers(
        dest="clients_command", required=True
    )
    add = clients.add_parser("add", help="create a client account (nothing if it exists)")
    add.add_argument("name")
    add.set_defaults(run=add_client)
    clients.add_parser("list", help="the client accounts").set_defaults(run=list_clients)
    engagements = commands.add_parser("engagements", help="a client's engagements")
    commands_of = engagements.add_subparsers(dest="engagements_command", required=True)
    add = commands_of.add_parser("add", help="create an engagement (nothing if it exists)")
    add.add_argument("name")
    add.add_argument("--client", required=True, help="client account name or id")
    add.set_defaults(run=add_engagement)
    listing = commands_of.add_parser("list", help="the engagements")
    listing.add_argument("--client", help="only this client's (name or id)")
    listing.set_defaults(run=list_engagements)


def add_client(args: argparse.Namespace) -> int:
    def report(result: tuple[ClientAccount, bool]) -> None:
        client, created = result
        state = "Created client {!r}" if created else "Client {!r} exists already"
        print(f"{state.format(client.name)} (id {client.id}).")

    return run_on_accounts(
        ClientArguments,
        args,
        lambda uow, arguments: tenants.add_client(uow, arguments.name),
        report,
    )


def add_engagement(args: argparse.Namespace) -> int:
    def report(result: tuple[Engagement, ClientAccount, bool]) -> None:
        engagement, client, created = result
        shown = f"engagement {engagement.name!r} of {client.name!r} (id {engagement.id})"
        print(f"Created {shown}." if created else f"The {shown} exists already.")

    return run_on_accounts(
        EngagementArguments,
        args,
        lambda uow, arguments: tenants.add_engagement(uow, arguments.client, arguments.name),
        report,
    )


def list_clients(_args: argparse.Namespace) -> int:
    with account_uow() as uow:
        found = tenants.list_clients(uow)
    if not found:
        print("No client accounts yet: python -m db clients add NAME")
    for client in found:
        print(f"{client.name} (id {client.id}): {client.engagements} engagement(s)")
    return 0


def list_engagements(args: argparse.Namespace) -> int:
    def report(found: list[tenants.EngagementSummary]) -> None:
        if not found:
            print("No engagements yet: python -m db engagements add NAME --client CLIENT")
        for engagement in found:
            print(
                f"{engagement.client_name} / {engagement.name} (id {engagement.id}):"
                f" {engagement.members} engagement member(s)"
                + (" (archived: read-only)" if engagement.archived else "")
            )

    return run_on_accounts(
        ListEngagementsArguments,
        args,
        lambda uow, arguments: tenants.list_engagements(uow, arguments.client),
        report,
    )
