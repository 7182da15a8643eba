"""What an admin does to one member: change the role, remove the membership, deactivate or
activate the account, unlock its sign-ins. Each takes effect at the person's next action;
removing and deactivating are confirmed first."""

from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from core.access import people
from core.catalogue.labels import role_label
from core.kernel.context import ROLES
from core.storage.unit_of_work import UnitOfWork
from dashboard import shown_text, state

PICK = "member_pick"
PENDING = "member_action_pending"  # (membership id, action) waiting for the admin's yes


def label(member: people.Member) -> str:
    return f"{member.email} · {member.role} on {member.scope} · {member.state}"


@dataclass(frozen=True)
class Change:
    name: str
    run: Callable[[UnitOfWork], object]
    done: str
    question: str = ""  # asked before the change is made; empty: made at once


def done(message: str) -> None:
    st.session_state[state.FLASH] = message
    st.rerun()


def show(members: list[people.Member]) -> None:
    st.subheader("Change a membership")
    by_id = {str(member.membership_id): member for member in members}
    # The picker names a membership, not a row number: after a change the list is read again
    # and the same person stays picked, with their new state. Nobody is picked at first.
    if st.session_state.get(PICK) not in by_id:
        st.session_state.pop(PICK, None)
    picked = st.selectbox(
        "Member",
        list(by_id),
        index=None,
        placeholder="Choose a member",
        format_func=lambda membership_id: label(by_id[membership_id]),
        key=PICK,
    )
    if picked is None:
        return
    member = by_id[picked]
    who = shown_text.plain(member.email)
    scope = shown_text.plain(member.scope)
    deactivated = member.state == "deactivated"
    role_column, role_button, remove, active, unlock = st.columns([2, 1, 1, 1, 1])
    role = role_column.selectbox(
        "New role",
        ROLES,
        index=ROLES.index(member.role),
        format_func=role_label,
        key=f"role_{member.membership_id}",
    )
    changes = [
        (
            role_button.button("Change role", disabled=role == member.role),
            Change(
                "role",
                lambda uow: people.change_role(uow, member.membership_id, role),
                f"{who} is {role} on {scope} now.",
            ),
        ),
        (
            remove.button("Remove membership"),
            Change(
                "remove",
                lambda uow: people.remove_membership(uow, member.membership_id),
                f"{who} is no longer {member.role} on {scope}.",
                f"Remove {who} as {member.role} on {scope}? They lose this access at their"
                " next click.",
            ),
        ),
        (
            active.button("Activate" if deactivated else "Deactivate"),
            Change(
                "activate" if deactivated else "deactivate",
                lambda uow: people.set_member_active(uow, member.user_id, deactivated),
                f"{who} is {'active' if deactivated else 'deactivated'}.",
                ""
                if deactivated
                else f"Deactivate {who}? They are signed out everywhere and cannot sign in"
                " until activated again; their memberships are kept.",
            ),
        ),
        (
            unlock.button("Unlock", disabled=member.state != "locked"),
            Change(
                "unlock",
                lambda uow: people.unlock_member(uow, member.user_id),
                f"{who} may sign in again.",
            ),
        ),
    ]
    for pressed, change in changes:
        if pressed and change.question:
            st.session_state[PENDING] = (picked, change.name)
        elif pressed:
            _make(change)
    pending = st.session_state.get(PENDING)
    if pending is None or pending[0] != picked:
        return
    change = next(change for _, change in changes if change.name == pending[1])
    st.warning(change.question)
    yes, no = st.columns(2)
    if yes.button(f"Yes, {change.name}", type="primary", key="member_action_confirm"):
        st.session_state.pop(PENDING, None)
        _make(change)
    if no.button("Cancel", key="member_action_cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()


def _make(change: Change) -> None:
    if state.call_or_none(_reads_as_done(change.run), doing="do that"):
        done(change.done)


def _reads_as_done(change: Callable[[UnitOfWork], object]) -> Callable[[UnitOfWork], bool]:
    """The change, returning True: a use case that returns None or 0 still reads as done."""

    def change_made(uow: UnitOfWork) -> bool:
        change(uow)
        return True

    return change_made
