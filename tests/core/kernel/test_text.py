"""The one cleaner of people's text: control characters refused, bidi controls dropped."""

import pytest

from core.kernel.errors import BadRequest
from core.kernel.text import clean_text

BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
CONTROLS = [chr(code) for code in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]


def test_bidi_controls_are_dropped_so_text_reads_as_stored():
    assert clean_text("\u202egpj.exe", "name") == "gpj.exe"
    assert clean_text(f"Wave{BIDI_CONTROLS}1", "name") == "Wave1"


@pytest.mark.parametrize("character", CONTROLS, ids=lambda c: f"U+{ord(c):04X}")
def test_every_control_character_is_refused_in_one_line_of_text(character):
    with pytest.raises(BadRequest) as refused:
        clean_text(f"Wave{character}1", "flow_name")
    assert refused.value.field == "flow_name" and "flow_name" in refused.value.message


@pytest.mark.parametrize("separator", ["\n", "\r", "\u2028", "\u2029"])
def test_one_line_of_text_says_so_when_it_holds_a_line_break(separator):
    with pytest.raises(BadRequest, match="flow_name must be one line"):
        clean_text(f"Wave{separator}1", "flow_name")


def test_text_of_several_lines_keeps_tabs_and_line_breaks_but_no_other_control():
    answer = "Dana Ortiz\r\n\tand Lee Park\n"
    assert clean_text(answer, "answers", multiline=True) == answer
    with pytest.raises(BadRequest, match=r"answer to q1 holds .*U\+0000"):
        clean_text("Dana\x00", "answers", multiline=True, label="answer to q1")


@pytest.mark.parametrize(
    "text", ["שלום עולם", "مرحبا", "👩‍💻 Wave 1", "Zoë’s café", "名前", "a\u00a0b", "x\u200by"]
)
def test_other_text_is_kept_as_it_is(text):
    assert clean_text(text, "name") == text
