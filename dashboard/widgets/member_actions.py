"""What an admin does to one member: change the role, remove the membership, deactivate or
activate the account, unlock its sign-ins. Each takes effect at the person's next action."""

import streamlit as st

from core.access import people
from core.kernel.context import ROLES
from dashboard import state


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
    who = state.plain(member.email)
    role_column, role_button, remove, active, unlock = st.columns([2, 1, 1, 1, 1])
    deactivated = member.state == "deactivated"
    role = role_column.selectbox(
        "New role", ROLES, index=ROLES.index(member.role), key=f"role_{member.membership_id}"
    )
    scope = state.plain(member.scope)
    clicked = [
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
        # Wrapped so that a use case returning None or 0 still reads as done.
        if pressed and state.attempt(lambda uow, change=change: (change(uow),), doing="do that"):
            done(message)
