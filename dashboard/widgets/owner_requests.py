"""Owners and requests of a flow, on the Questionnaires page: per owner, questions, answered,
last mailed, link opened, overdue and how the last mail fared; the questions nobody reachable
owns, and assigning them; sending the requests (analysts, admins) as a run on a worker, whose
bar the browser keeps current (owners prepared of owners)."""

from datetime import date

import pandas as pd
import streamlit as st

from core.catalogue.labels import field_label
from core.enhancement.progress_pass import SEND_RUN
from core.kernel.context import RequestContext
from core.kernel.permissions import Action, can
from core.requests.assignment import QuestionFilter, assign_owner
from core.requests.progress import OwnerProgress, UnassignedQuestion, owner_progress
from core.requests.progress import unassigned_questions as list_unassigned
from core.requests.send_runs import start_send, summary_of
from core.requests.sending import SendSummary, mail_is_set_up
from dashboard import shown_text, state
from dashboard.widgets import phase_run_panel

SAID = "owner_requests_said"  # what the last action did, said after the rerun
DELIVERY = {"queued": "queued", "sent": "sent", "retrying": "retrying", "failed": "failed"}


def _owners_table(rows: list[OwnerProgress]) -> None:
    frame = pd.DataFrame(
        [
            {
                "Owner": row.owner_email
                if not row.owner_name
                else f"{row.owner_name} <{row.owner_email}>",
                "Questions": row.questions,
                "Answered": row.answered,
                "Last mailed": shown_text.local_time(row.last_mailed_at),
                "Link opened": shown_text.local_time(row.link_opened_at),
                "Due": row.due_on.isoformat() if row.due_on else "",
                "Overdue": "overdue" if row.overdue else "",
                "Mail": DELIVERY.get(row.delivery, row.delivery)
                + (f": {row.delivery_error}" if row.delivery_error else ""),
            }
            for row in rows
        ]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="owner_requests_table")


def _said(summary: SendSummary) -> str:
    return (
        f"Mailed {summary.owners_mailed} owner(s); {summary.owners_up_to_date} already had"
        f" these questions; {summary.unassigned_questions} question(s) have no reachable owner."
    )


def _sending(flow_id: str) -> None:
    """The flow's last send run: its bar while it runs, what it did once it completed."""
    progress, token = phase_run_panel.watch(flow_id, SEND_RUN)
    phase_run_panel.show(progress, token, key="send_run_panel")
    summary = summary_of(progress.run) if progress is not None else None
    if progress is not None and summary is not None:
        st.success(f"{_said(summary)} Finished {shown_text.local_time(progress.since)}.")


def _send_form(flow_id: str) -> None:
    if not state.call_without_uow(mail_is_set_up, doing="check the mail setup"):
        st.info("Mail is not set up: set SMTP_HOST (and SMTP_FROM) to send owners their questions.")
        return
    with st.form("send_requests"):
        due = st.date_input("Answers due", value=None, min_value=date.today(), format="YYYY-MM-DD")
        resend = st.checkbox(
            "Mail everyone again (their old links stop working)", key="send_requests_resend"
        )
        # Offered while a send runs too: a second one is refused in a sentence (409).
        sent = st.form_submit_button("Send requests", type="primary")
    if sent:
        started = state.call_or_none(
            start_send, flow_id, due_on=due, resend=resend, doing="send requests"
        )
        if started is not None:
            st.session_state[SAID] = "Sending the requests on a worker; the bar below follows it."
            st.rerun()


def _assign_form(flow_id: str, unassigned: list[UnassignedQuestion]) -> None:
    labels = {q.question_id: f"{q.asset_name} · {q.label} (P{q.priority})" for q in unassigned}
    with st.form("assign_owner"):
        email = st.text_input("Owner's email", key="assign_email", placeholder="lee@example.org")
        chosen = st.multiselect(
            "Questions", list(labels), format_func=labels.__getitem__, key="assign_questions"
        )
        left, middle, right = st.columns(3)
        name = left.text_input("Asset name contains", key="assign_asset")
        fields = sorted({q.field_name for q in unassigned})
        field = middle.selectbox(
            "Attribute", fields, index=None, format_func=field_label, key="assign_field"
        )
        priority = right.selectbox("Priority", [1, 2, 3, 4], index=None, key="assign_priority")
        one_by_one = st.form_submit_button("Assign the chosen questions")
        matching = st.form_submit_button("Assign every unassigned question matching the filter")
    if one_by_one or matching:
        picked = QuestionFilter(
            asset_name_contains=None if one_by_one else name or None,
            field_name=None if one_by_one else field,
            priority=None if one_by_one else priority,
            question_ids=tuple(chosen) if one_by_one else (),
        )
        if one_by_one and not chosen:
            st.warning("Choose the questions to assign, or use the filter.")
            return
        taken = state.call(assign_owner, flow_id, email, picked, doing="assign owners")
        st.session_state[SAID] = f"Assigned {taken} question(s) to {email.strip()}."
        st.rerun()


def show(ctx: RequestContext, flow_id: str, collecting: bool) -> None:
    st.divider()
    st.subheader("Owners and requests")
    if SAID in st.session_state:
        st.success(shown_text.plain(st.session_state.pop(SAID)))
    rows = state.call(owner_progress, flow_id, doing="read the requests")
    unassigned = state.call(list_unassigned, flow_id, doing="read the questions")
    if rows:
        _owners_table(rows)
    else:
        st.caption("No owner has been mailed yet.")
    _sending(flow_id)
    if collecting and can(ctx, Action.SEND_REQUESTS):
        _send_form(flow_id)
    st.markdown(f"**Questions without a reachable owner: {len(unassigned)}**")
    if not unassigned:
        return
    frame = pd.DataFrame(
        [{"Asset": q.asset_name, "Question": q.label, "Priority": q.priority} for q in unassigned]
    )
    st.dataframe(frame, hide_index=True, width="stretch", key="unassigned_table")
    if can(ctx, Action.ASSIGN_OWNERS):
        _assign_form(flow_id, unassigned)
