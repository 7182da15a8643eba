"""python -m db requests send | remind: what they print, and one sentence when refused."""

import time

from core.flows.phase_run import SEND_REQUESTS, PhaseRun
from core.requests.send_runs import send_store
from db.session import get_engine
from tests.db.cli import run_cli
from tests.factories import in_uow


def tenant_args(ctx):
    return ["--client", str(ctx.client_account_id), "--engagement", str(ctx.engagement_id)]


def test_send_prints_owners_mailed_and_questions_without_an_owner_then_mails_nobody_again(
    owned_flow, workers, mailbox, database_url
):
    owned = owned_flow()
    send = ["requests", "send", owned.flow_id, *tenant_args(owned.ctx), "--due", "2031-01-31"]
    env: dict[str, str] = {}  # SMTP_HOST and SMTP_PORT name the loopback server already

    done = run_cli(*send, database_url=database_url, env=env)

    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == ["owners prepared: 0 of 2", "owners prepared: 2 of 2"]
    lines = done.stdout.splitlines()
    assert lines[0] == "owners mailed: 2"
    assert lines[2].startswith("questions without a reachable owner: ")
    assert int(lines[2].rsplit(" ", 1)[1]) >= 3
    assert len(mailbox.messages) == 2
    assert "2031-01-31" in mailbox.messages[0].get_body(("plain",)).get_content()
    again = run_cli(*send, database_url=database_url, env=env)
    assert again.stdout.splitlines()[:2] == [
        "owners mailed: 0",
        "owners already holding these questions: 2",
    ]
    resent = run_cli(*send, "--resend", database_url=database_url, env=env)
    assert resent.stdout.splitlines()[0] == "owners mailed: 2"
    reminded = run_cli(
        "requests", "remind", *tenant_args(owned.ctx), database_url=database_url, env=env
    )
    assert reminded.returncode == 0, reminded.stderr
    assert reminded.stdout.splitlines()[0] == "owners reminded: 0"


def test_refusals_are_one_sentence(owned_flow, workers, mailbox, database_url):
    owned = owned_flow()
    unknown = run_cli(
        "requests", "send", "2b0c8a52-8f1e-4b7e-9d7e-0f5e1d7c9a11", *tenant_args(owned.ctx),
        database_url=database_url,
    )  # fmt: skip
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == "error: Flow not found"
    bad_date = run_cli(
        "requests", "send", owned.flow_id, *tenant_args(owned.ctx), "--due", "tomorrow",
        database_url=database_url,
    )  # fmt: skip
    assert bad_date.returncode == 1 and len(bad_date.stderr.strip().splitlines()) == 1
    no_mail = run_cli(
        "requests", "send", owned.flow_id, *tenant_args(owned.ctx),
        database_url=database_url, env={"SMTP_HOST": ""},
    )  # fmt: skip
    assert no_mail.returncode == 2
    assert "SMTP_HOST" in no_mail.stderr


def test_a_send_while_the_flows_send_run_is_live_is_refused_in_one_sentence(
    db, owned_flow, workers, mailbox, database_url
):
    owned = owned_flow()
    key = str(in_uow(db, owned.ctx, lambda uow: uow.flow(owned.flow_id).id))
    db.rollback()  # SQLite: the claim needs the write lock
    running = PhaseRun.queued((SEND_REQUESTS,), 0, None, time.time())
    assert send_store(get_engine()).claim(key, running, stall_seconds=60) is None

    busy = run_cli(
        "requests", "send", owned.flow_id, *tenant_args(owned.ctx), database_url=database_url
    )

    assert busy.returncode == 1
    assert (
        busy.stderr == "error: Requests of this flow are already being sent; wait for it to end\n"
    )
    assert busy.stdout == "" and mailbox.messages == []
