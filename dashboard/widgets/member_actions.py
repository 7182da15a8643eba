"""What an admin does to one member: change the role, remove the membership, deactivate or
activate the account, unlock its sign-ins. Each takes effect at the person's next action."""

from collections.abc import Callable

import streamlit as st

from core.access import people
from core.kernel.context import ROLES
from core.storage.unit_of_work import UnitOfWork
from dashboard import shown_text, state


def label(member: people.Member) -> str:
    return f"{member.email} · {member.role} on {member.scope} · {member.state}"


def done(message: str) -> None:
    st.session_state[state.FLASH] = message
    st.rerun()


def show(members: list[people.Member]) -> None:
    st.subheader("Change a membership")
    index = st.selectbox(
        "Member", range(len(members)), format_func=lambda i: label(members[i]), key="member_pick"
    )
    member = members[index]
    who = shown_text.plain(member.email)
    role_column, role_button, remove, active, unlock = st.columns([2, 1, 1, 1, 1])
    deactivated = member.state == "deactivated"
    role = role_column.selectbox(
        "New role", ROLES, index=ROLES.index(member.role), key=f"role_{member.membership_id}"
    )
    scope = shown_text.plain(member.scope)
    clicked: list[tuple[bool, Callable[[UnitOfWork], object], str]] = [
        (
            role_button.button("Change role", disabled=role == member.role),
            lambda uow: people.change_role(uow, member.membership_id, role),
            f"{who} is {role} on {scope} now.",
        ),
        (
            remove.button("Remove membership"),
            lambda uow: people.remove_membership(uow, member.membership_id),
            f"{who} is no longer {member.role} on {scope}.",
        ),
        (
            active.button("Activate" if deactivated else "Deactivate"),
            lambda uow: people.set_member_active(uow, member.user_id, deactivated),
            f"{who} is {'active' if deactivated else 'deactivated'}.",
        ),
        (
            unlock.button("Unlock", disabled=member.state != "locked"),
            lambda uow: people.unlock_member(uow, member.user_id),
            f"{who} may sign in again.",
        ),
    ]
    for pressed, change, message in clicked:
        if pressed and state.call_or_none(_reads_as_done(change), doing="do that"):
            done(message)


def _reads_as_done(change: Callable[[UnitOfWork], object]) -> Callable[[UnitOfWork], bool]:
    """The change, returning True: a use case that returns None or 0 still reads as done."""

    def change_made(uow: UnitOfWork) -> bool:
        change(uow)
        return True

    return change_made
