"""run_use_case: typed errors become sentences; anything else is logged, never shown raw."""

import logging

from streamlit.testing.v1 import AppTest

from dashboard.state import plain


def script(kind: str) -> None:
    from core.errors import BadRequest, Conflict, Forbidden, NotFound, RateLimited
    from dashboard import state

    errors = {
        "400": BadRequest("selected_gaps holds 201 items; at most 200"),
        "403": Forbidden("the manager role may not submit gaps"),
        "404": NotFound("Flow not found"),
        "409": Conflict("a gap job of this flow is already running"),
        "429": RateLimited("slow down", retry_after_seconds=7.2),
        "500": ZeroDivisionError("secret internals"),
    }

    def use_case():
        raise errors[kind]

    assert state.run_use_case(use_case, doing="submit gaps for analysis") is state.FAILED


def run(kind: str) -> AppTest:
    app = AppTest.from_function(script, args=(kind,))
    return app.run()


def test_typed_errors_read_as_plain_sentences():
    assert run("400").error[0].value == "Selected_gaps holds 201 items; at most 200."
    assert run("403").error[0].value == "Your role cannot submit gaps for analysis."
    assert run("404").error[0].value == "That flow does not exist or is not yours."
    assert run("409").warning[0].value == "A gap job of this flow is already running."
    assert run("429").warning[0].value == "Wait 8 seconds before submitting again."


def test_an_unexpected_error_is_logged_and_shown_without_a_traceback(caplog):
    with caplog.at_level(logging.ERROR, logger="dashboard"):
        app = run("500")
    assert not app.exception
    shown = app.error[0].value
    assert "went wrong" in shown and "secret internals" not in shown
    assert "ZeroDivisionError" in caplog.text


def test_plain_escapes_markdown():
    assert plain("**bold** [link](x)") == r"\*\*bold\*\* \[link\]\(x\)"
