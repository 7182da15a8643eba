"""An owner's questions, opened from the link in their mail, without signing in.

The link's token is the only authority: this page shows that owner's open questions of that
flow and nothing else, and a tampered, expired or revoked link shows one sentence.
"""

import streamlit as st

from core.requests.link_answers import open_link, save_by_link
from dashboard import shown_text, state
from dashboard.widgets import owner_form

DONE = "owner_answers_done"  # what the last Save did, said after the rerun
PROBLEMS = "owner_answers_problems"

token = st.query_params.get("token", "")
page = state.call_without_uow(open_link, token, doing="open your questions")
st.title("Your questions")
who = page.owner_name or page.owner_email
st.write(
    shown_text.plain(
        f"{who}: the migration assessment {page.flow_name} needs a few facts about systems"
        " you own. Answer what you know and press Save; you can come back with the same link."
    )
)
if page.due_on is not None:
    st.write(f"Please answer by {page.due_on.isoformat()}.")
if DONE in st.session_state:
    st.success(st.session_state.pop(DONE))
left = len(page.open_questions)
st.caption(f"{page.answered} answered, {left} left")
if not page.open_questions:
    st.success("Thank you: every question you were asked is answered.")
    st.stop()
answers = owner_form.show(page.open_questions, st.session_state.get(PROBLEMS, {}))
if answers is not None:
    if not answers:
        st.info("Nothing to save yet: answer at least one question.")
    else:
        saved = state.call_without_uow(save_by_link, token, answers, doing="save your answers")
        st.session_state[PROBLEMS] = saved.problems
        refused = f"; {len(saved.problems)} not saved, see below" if saved.problems else ""
        st.session_state[DONE] = f"Saved {saved.saved} answer(s){refused}."
        st.rerun()
