"""python -m db requests send FLOW_ID --client C --engagement E [--due YYYY-MM-DD] [--resend] |
requests remind --client C --engagement E"""

import argparse
import sys
import uuid
from datetime import date

from pydantic import Field

from cli.common import parsed, refused
from cli.errors import BAD_INPUT, BAD_SETUP
from cli.inventory import TenantArguments, operator_context
from core.kernel.errors import CollectionError, ServiceUnavailable
from core.requests.reminders import remind_owners
from core.requests.send_runs import send_here
from core.storage.unit_of_work import engagement_uow


class SendArguments(TenantArguments):
    flow_id: uuid.UUID = Field(title="Flow id")
    due: date | None = Field(None, title="Due date")
    resend: bool = Field(False, title="Resend")


def register(commands: argparse._SubParsersAction) -> None:
    group = commands.add_parser("requests", help="mail owners their open questions, remind them")
    requests = group.add_subparsers(dest="requests_command", required=True)
    send = requests.add_parser(
        "send", help="mail each reachable owner the open questions of a flow that are theirs"
    )
    send.add_argument("flow_id", help="the flow's id (the master flow id)")
    send.add_argument("--due", help="the date answers are due, YYYY-MM-DD")
    send.add_argument(
        "--resend",
        action="store_true",
        default=None,
        help="mail every owner again, even with the same questions (their old links stop working)",
    )
    send.set_defaults(run=lambda args: send_command(parsed(SendArguments, args)))
    remind = requests.add_parser(
        "remind", help="remind owners whose last mail is REMINDER_DAYS old; escalate overdue ones"
    )
    remind.set_defaults(run=lambda args: remind_command(parsed(TenantArguments, args)))
    for command in (send, remind):
        command.add_argument("--client", required=True, help="client account name or id")
        command.add_argument("--engagement", required=True, help="engagement name or id")


def _code(error: CollectionError) -> int:
    return BAD_SETUP if isinstance(error, ServiceUnavailable) else BAD_INPUT


def _prepared(done: int, owners: int) -> None:
    # On stderr: what stdout says stays the three lines scripts read.
    print(f"owners prepared: {done} of {owners}", file=sys.stderr, flush=True)


def send_command(arguments: SendArguments) -> int:
    try:
        with engagement_uow(operator_context(arguments)) as uow:
            summary = send_here(
                uow,
                str(arguments.flow_id),
                due_on=arguments.due,
                resend=arguments.resend,
                progress=_prepared,
            )
    except CollectionError as error:
        return refused(error, _code(error))
    print(f"owners mailed: {summary.owners_mailed}")
    print(f"owners already holding these questions: {summary.owners_up_to_date}")
    print(f"questions without a reachable owner: {summary.unassigned_questions}")
    return 0


def remind_command(arguments: TenantArguments) -> int:
    try:
        with engagement_uow(operator_context(arguments)) as uow:
            summary = remind_owners(uow)
    except CollectionError as error:
        return refused(error, _code(error))
    print(f"owners reminded: {summary.reminded}")
    print(f"overdue owners escalated: {summary.escalated_owners} (to {summary.managers} managers)")
    return 0
