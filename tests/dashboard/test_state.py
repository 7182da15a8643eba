"""Calls into core: typed errors become sentences that stop the page; anything else is logged,
never shown raw."""

import html
import logging
import re

from streamlit.testing.v1 import AppTest

from dashboard.shown_text import WORD_JOINER, chart_text, plain
from tests.dashboard.conftest import read, rendered, texts

# A name as someone could type it: markdown, HTML, an entity, a Streamlit directive, a formula.
HOSTILE = "![x](http://evil/x.png) **bold** <img src=x> &lt;b&gt; :red[red] $x^2$ [a](b)"


def script(kind: str) -> None:
    import streamlit as st

    from core.kernel.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited
    from dashboard import state
    from tests.dashboard.test_state import HOSTILE

    errors = {
        "400": BadRequest("selected_gaps holds 201 items; at most 200"),
        "403": Forbidden("the manager role may not submit gaps"),
        "404": NotFound("Flow not found"),
        "409": Conflict("a gap job of this flow is already running"),
        "429": RateLimited("slow down", retry_after_seconds=7.2),
        "500": ZeroDivisionError("secret internals"),
        "quoting": BadRequest(f"{HOSTILE} is not a readable Excel workbook"),
    }

    def use_case():
        raise errors[kind]

    state.call_without_uow(use_case, doing="submit gaps for analysis")
    st.text("the rest of the page")


def run(kind: str) -> AppTest:
    app = AppTest.from_function(script, args=(kind,))
    return app.run()


def test_typed_errors_read_as_plain_sentences():
    assert texts(run("400"), "error") == ["Selected_gaps holds 201 items; at most 200."]
    assert texts(run("403"), "error") == ["Your role cannot submit gaps for analysis."]
    assert texts(run("404"), "error") == ["That flow does not exist or is not yours."]
    assert texts(run("409"), "warning") == ["A gap job of this flow is already running."]
    assert texts(run("429"), "warning") == ["Wait 8 seconds before submitting again."]


def test_a_refusal_stops_the_page_after_its_sentence():
    app = run("409")
    assert not app.exception
    assert [element.value for element in app.text] == []


def test_an_error_quoting_what_someone_typed_shows_it_as_text():
    body = run("quoting").error[0].value
    assert "<img" not in rendered(body) and "<strong>" not in rendered(body)
    assert read(body) == f"{HOSTILE} is not a readable Excel workbook."


def test_an_unexpected_error_is_logged_and_shown_without_a_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        app = run("500")
    assert not app.exception
    shown = app.error[0].value
    assert "went wrong" in shown and "secret internals" not in shown
    assert "ZeroDivisionError" in caplog.text


def test_plain_escapes_markdown():
    assert plain("**bold** [link](x)") == r"\*\*bold\*\* \[link\]\(x\)"


def test_plain_text_renders_as_itself_and_nothing_else():
    shown = rendered(plain(HOSTILE)).replace(WORD_JOINER, "")
    assert shown == f"<p>{html.escape(HOSTILE, quote=False)}</p>\n"
    assert read(plain("www.evil.test https://evil.test/x pat@evil.test")) == (
        "www.evil.test https://evil.test/x pat@evil.test"
    )
    assert "<a" not in rendered(plain("www.evil.test https://evil.test/x"))


def test_plain_text_holds_no_web_address_the_browser_would_link():
    # The web link literals of GitHub-flavoured markdown, linked by the browser even escaped.
    link_literals = re.compile(r"(?i)www\\?\.|[a-z]\\?:\\?/\\?/")
    for text in ("www.evil.test", "WWW.evil.test", "https://evil.test/x", "see http://x.test"):
        assert not link_literals.search(plain(text)), plain(text)
        assert read(plain(text)) == text


def test_plain_text_keeps_an_email_whole_to_be_copied():
    assert WORD_JOINER not in plain("pat@evil.test")


def test_chart_text_escapes_the_tags_plotly_reads():
    assert chart_text("<a href='https://evil'>x</a> & <b>") == (
        "&lt;a href='https://evil'&gt;x&lt;/a&gt; &amp; &lt;b&gt;"
    )


def accounts_script(kind: str) -> None:
    import streamlit as st

    from core.access.identity import SignInFailed
    from core.kernel.errors import RateLimited
    from dashboard import state

    errors = {
        "403": SignInFailed(),
        "429": RateLimited("Too many failed sign-ins", retry_after_seconds=7.2),
        "500": ZeroDivisionError("secret internals"),
    }

    def use_case(uow):
        assert uow.session is not None  # a unit of work on accounts, opened for the call
        if kind == "ok":
            return "signed in"
        raise errors[kind]

    st.text(state.call_on_accounts(use_case, doing="sign in"))
    st.text("the page went on")


def test_an_account_refusal_is_said_in_cores_words_and_stops_the_page(app_settings):
    def run_accounts(kind: str) -> AppTest:
        return AppTest.from_function(accounts_script, args=(kind,)).run()

    refused = run_accounts("403")
    assert texts(refused, "error") == ["Wrong email or password"] and not refused.text
    assert texts(run_accounts("429"), "error") == ["Wait 8 seconds before submitting again."]
    failed = run_accounts("500")
    assert "went wrong" in failed.error[0].value and "secret" not in failed.error[0].value
    assert [text.value for text in run_accounts("ok").text] == ["signed in", "the page went on"]
