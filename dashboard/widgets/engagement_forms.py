"""The forms of the Clients & engagements page; each change is confirmed after the rerun."""

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.access import engagement_admin
from core.storage.value_sources import SOURCE_ORDERS
from dashboard import shown_text, state


def _apply(change: Callable[..., Any], message: Callable[[Any], str], *args: Any) -> None:
    # Wrapped so that a result that is falsy still reads as done.
    done = state.call_or_none(lambda uow: (change(uow, *args),), doing="do that")
    if done:
        st.session_state[state.FLASH] = message(done[0])
        st.rerun()


def new_engagement() -> None:
    with st.form("new_engagement", clear_on_submit=True):
        name = st.text_input("New engagement", key="new_engagement_name")
        submitted = st.form_submit_button("Create engagement")
    if submitted:
        _apply(
            engagement_admin.add_engagement,
            lambda made: (
                f"{'Created' if made[1] else 'There is already'} {shown_text.plain(made[0].name)}."
            ),
            name,
        )


def change_engagement(rows: list[engagement_admin.EngagementRow]) -> None:
    st.subheader("Rename or archive an engagement")
    index = st.selectbox(
        "Engagement",
        range(len(rows)),
        format_func=lambda i: rows[i].name + (" (archived)" if rows[i].archived_at else ""),
        key="engagement_pick_admin",
    )
    row = rows[index]
    name_column, rename, archive = st.columns([3, 1, 1])
    name = name_column.text_input("New name", value=row.name, key=f"rename_{row.id}")
    if rename.button("Rename", disabled=name.strip() == row.name):
        _apply(
            engagement_admin.rename_engagement,
            lambda made: f"Renamed to {shown_text.plain(made.name)}.",
            row.id,
            name,
        )
    archived = row.archived_at is not None
    if archive.button("Restore" if archived else "Archive", disabled=row.current):
        _apply(
            engagement_admin.set_archived,
            lambda made: (
                f"{shown_text.plain(made.name)} is {'restored' if archived else 'archived'}."
            ),
            row.id,
            not archived,
        )
    if row.current:
        st.caption("This is the engagement open now: open another one to archive it.")


def client_forms(client_name: str) -> None:
    left, right = st.columns(2)
    with left.form("rename_client"):
        name = st.text_input("Client name", value=client_name, key="client_name")
        if st.form_submit_button("Rename client"):
            _apply(
                engagement_admin.rename_client,
                lambda made: f"The client is {shown_text.plain(made.name)} now.",
                name,
            )
    with right.form("new_client", clear_on_submit=True):
        client = st.text_input("New client", key="new_client_name")
        first = st.text_input("Its first engagement", key="new_client_engagement")
        if st.form_submit_button("Create client"):
            _apply(
                engagement_admin.create_client,
                lambda made: "Created; you are its admin: open it with Engagement in the sidebar.",
                client,
                first,
            )


def source_order(rows: list[engagement_admin.EngagementRow]) -> None:
    """Which value a later import keeps where people gave one, per engagement."""
    st.subheader("Source order of imports")
    index = st.selectbox(
        "Engagement",
        range(len(rows)),
        format_func=lambda i: rows[i].name,
        key="source_order_engagement",
    )
    row = rows[index]
    orders = list(SOURCE_ORDERS)
    with st.form(f"source_order_{row.id}"):
        order = st.radio(
            "When a later import has another value than one people gave",
            orders,
            index=orders.index(row.import_precedence),
            format_func=SOURCE_ORDERS.get,
            key=f"source_order_{row.id}_choice",
        )
        if st.form_submit_button("Save source order"):
            _apply(
                engagement_admin.set_source_order,
                lambda made: f"Source order of {shown_text.plain(made.name)} saved.",
                row.id,
                order,
            )
