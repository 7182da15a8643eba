"""The one place for session-state keys, the database session, caches and error display."""

import logging
import math
import uuid
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

import streamlit as st

from core.catalogue.attributes import ASSET_TYPES, GapCategory, GapType
from core.flows.orchestrator import AUTOMATION_TIERS
from core.gaps.filters import GAP_STATUSES
from core.kernel.context import RequestContext
from core.kernel.errors import (
    BadRequest,
    CollectionError,
    Conflict,
    Forbidden,
    NotFound,
    RateLimited,
)
from core.kernel.permissions import AccessRevoked
from core.kernel.phases import PHASE_ORDER, FlowStatus
from core.storage.account_unit_of_work import account_uow
from core.storage.unit_of_work import engagement_uow
from dashboard import shown_text

logger = logging.getLogger("dashboard")
T = TypeVar("T")

# Session-state keys: every page reads and writes these names only.
USER = "signed_in_user"  # core.access.identity.SignedInUser
SIGN_IN_SESSION = "sign_in_session_id"  # the uuid of the sign-in session the person acts under
CONTEXT = "request_context"  # core.kernel.context.RequestContext of the chosen engagement
ENGAGEMENT = "engagement_choice"  # core.access.identity.EngagementChoice
FLOW_ID = "current_flow_id"  # the master flow_id (str) the flow pages show
SELECTED_GAPS = "selected_gaps"  # {flow_id: {gap id: selection entry}}
SELECTION_VERSION = "selection_version"  # bumped when code (not the table) changes a selection
SELECTED_ASSETS = "selected_asset_ids"  # {flow_id: set of asset ids}
OVERVIEW_ENGAGEMENTS = "overview_engagement_ids"  # the engagements the Overview shows, kept
POLL_SECONDS = "poll_seconds"  # progress refresh interval: 0 (off), 2, 5 or 15
PENDING_RESUME = "pending_resume"  # flow_id waiting for the admin's confirmation
FLASH = "flash_message"  # a success message to show once, after the rerun that follows it
SIGNED_OUT_BECAUSE = "signed_out_because"  # why the app signed the person out, shown once
COOKIE_READ = "session_cookie_read"  # this browser session looked at its session cookie
SESSION_COOKIE = "kept_session"  # (token, expiry to write or None), or None: clear the cookie

POLL_CHOICES = {"Off": 0, "2 s": 2, "5 s": 5, "15 s": 15}


def context() -> RequestContext | None:
    return st.session_state.get(CONTEXT)


def require_context() -> RequestContext:
    ctx = context()
    if ctx is None:
        st.warning("Sign in and choose an engagement first.")
        st.stop()
    return ctx


def canonical_flow_id(named: str) -> str:
    """A flow id as addresses write it: any form of a UUID (capitals, no dashes, braces) as
    the one lower-case, dashed form; anything else as given (it names no flow)."""
    try:
        return str(uuid.UUID(named.strip()))
    except ValueError:
        return named


def current_flow_id() -> str | None:
    from_url = st.query_params.get("flow")
    if from_url:
        canonical = canonical_flow_id(from_url)
        if canonical != from_url:
            st.query_params["flow"] = canonical
        st.session_state[FLOW_ID] = canonical
    return st.session_state.get(FLOW_ID)


def set_current_flow(flow_id: str) -> None:
    st.session_state[FLOW_ID] = flow_id
    st.query_params["flow"] = flow_id


def page_url(page: str, flow_id: str | None, **params: str) -> str | None:
    """The app's own address of `page` showing that flow, for a table's link column."""
    if not flow_id:
        return None
    address = (st.context.url or "").split("?", 1)[0]
    base = address.rsplit("/", 1)[0] + "/" if "/" in address else ""
    ctx = context()
    engagement = {"engagement": str(ctx.engagement_id)} if ctx is not None else {}
    return f"{base}{page}?" + urlencode({"flow": flow_id, **params, **engagement})


def selected_gaps(flow_id: str) -> dict[str, dict[str, Any]]:
    return st.session_state.setdefault(SELECTED_GAPS, {}).setdefault(flow_id, {})


def selected_assets(flow_id: str) -> set[str]:
    return st.session_state.setdefault(SELECTED_ASSETS, {}).setdefault(flow_id, set())


def bump_selection_version() -> None:
    st.session_state[SELECTION_VERSION] = st.session_state.get(SELECTION_VERSION, 0) + 1


def selection_version() -> int:
    return st.session_state.get(SELECTION_VERSION, 0)


def sentence(message: str) -> str:
    text = message.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def explain(error: CollectionError, doing: str) -> str:
    """A typed core error as one plain sentence for the person at the screen."""
    if getattr(error, "said_as_is", False):  # a sentence meant for whoever reads it (a link)
        return sentence(error.message)
    if isinstance(error, RateLimited):
        seconds = max(1, math.ceil(error.retry_after_seconds))
        return f"Wait {seconds} second{'s' if seconds != 1 else ''} before submitting again."
    if isinstance(error, NotFound):
        return "That flow does not exist or is not yours."
    if isinstance(error, Forbidden):
        return f"Your role cannot {doing}."
    if isinstance(error, Conflict | BadRequest):
        return sentence(error.message)
    return sentence(error.message)


def sign_out(reason: str | None = None) -> None:
    """Forget everything of this session (and single sign-on's cookie); `reason` is shown next."""
    from dashboard import session_cookie, upload_rights  # they build on this module

    upload_rights.forget()
    was_oidc = st.session_state.get(USER) is not None and st.user.get("is_logged_in")
    kept_signed_in = session_cookie.current_token() is not None
    try:
        session_cookie.end()
    except Exception:
        logger.exception("dashboard: ending the session failed")
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.session_state[COOKIE_READ] = True  # the cookie this connection sent is ended
    if kept_signed_in:
        st.session_state[SESSION_COOKIE] = None
    if reason:
        st.session_state[SIGNED_OUT_BECAUSE] = reason
    if was_oidc:
        st.logout()


def _shown(fn: Callable[[], T], doing: str) -> tuple[bool, T | None]:
    """Call `fn`; show core's typed errors as sentences and log anything else.

    A user whose access was removed since they chose the engagement is signed out, and told
    why on the sign-in page.
    """
    try:
        return True, fn()
    except AccessRevoked as error:
        logger.warning("dashboard: access revoked, signing out (%s)", doing)
        sign_out(sentence(error.message))
        st.rerun()
    except CollectionError as error:
        # Core's messages may quote what people typed (a file name, a filter): shown as text.
        shown = shown_text.plain(explain(error, doing))
        if isinstance(error, RateLimited) or error.status == 409:
            st.warning(shown)
        else:
            st.error(shown)
    except Exception:
        logger.exception("dashboard: %s failed", doing)
        st.error(
            f"Something went wrong while trying to {doing}. The details are in the server log."
        )
    return False, None


def _in_unit_of_work(
    use_case: Callable[..., T], ctx: RequestContext | None, args: Any, kwargs: Any
) -> Callable[[], T]:
    tenant = ctx or require_context()

    def in_unit_of_work() -> T:
        with engagement_uow(tenant) as uow:
            return use_case(uow, *args, **kwargs)

    return in_unit_of_work


def call(
    use_case: Callable[..., T],
    *args: Any,
    doing: str = "do that",
    ctx: RequestContext | None = None,
    **kwargs: Any,
) -> T:
    """Run `use_case(uow, *args, **kwargs)` in a unit of work of the chosen engagement (or of
    `ctx`, another engagement of the same person, as the Overview reads several).

    A refusal or a failure is shown as one sentence and stops the page (or the fragment).
    """
    done, result = _shown(_in_unit_of_work(use_case, ctx, args, kwargs), doing)
    if not done:
        st.stop()
    return result  # type: ignore[return-value]


def call_or_none(
    use_case: Callable[..., T], *args: Any, doing: str = "do that", **kwargs: Any
) -> T | None:
    """`call` for an action whose refusal must leave the page drawn (a 409 on a submit keeps
    the progress panel below it): the sentence is shown and None returned."""
    return _shown(_in_unit_of_work(use_case, None, args, kwargs), doing)[1]


def call_without_uow(fn: Callable[..., T], *args: Any, doing: str = "do that", **kwargs: Any) -> T:
    """Run core code that needs no unit of work (reading an uploaded file); a refusal is shown
    as one sentence and stops the page."""
    done, result = _shown(lambda: fn(*args, **kwargs), doing)
    if not done:
        st.stop()
    return result  # type: ignore[return-value]


def call_on_accounts(
    use_case: Callable[..., T], *args: Any, doing: str = "do that", **kwargs: Any
) -> T:
    """Run `use_case(uow, *args, **kwargs)` in a unit of work on accounts (signing in,
    choosing an engagement); a refusal is shown in core's own words and stops the page.
    A sign-in session that ended meanwhile signs the person out."""
    try:
        with account_uow() as uow:
            return use_case(uow, *args, **kwargs)
    except AccessRevoked as error:
        logger.warning("dashboard: signed out while trying to %s", doing)
        sign_out(sentence(error.message))
        st.rerun()
    except RateLimited as error:
        st.error(shown_text.plain(explain(error, doing)))
    except CollectionError as error:
        # Said to someone signing in: "Wrong email or password", not "your role cannot".
        st.error(shown_text.plain(error.message))
    except Exception:
        logger.exception("dashboard: %s failed", doing)
        st.error(
            f"Something went wrong while trying to {doing}. The details are in the server log."
        )
    st.stop()


def cached_by_arguments(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache a pure function of its arguments (the key): whoever passes the same rows gets the
    same answer, so one tenant's rows never give another's result. For costly drawing-only
    work (a chart's figure), never for reads. The answer is kept as the object, shared, not
    pickled: unpickling a plotly figure validates it anew, dearer than building it; callers
    draw it and never change it."""
    return st.cache_resource(max_entries=200, show_spinner=False)(fn)


@st.cache_data
def filter_options() -> dict[str, list[Any]]:
    """The fixed vocabularies behind the filters (from core's single definitions)."""
    return {
        "phases": [str(phase) for phase in PHASE_ORDER],
        "statuses": [str(status) for status in FlowStatus],
        "tiers": list(AUTOMATION_TIERS),
        "gap_categories": [str(category) for category in GapCategory],
        "gap_types": [str(gap_type) for gap_type in GapType],
        "gap_statuses": list(GAP_STATUSES),
        "priorities": [1, 2, 3, 4],
        "asset_types": list(ASSET_TYPES),
    }
