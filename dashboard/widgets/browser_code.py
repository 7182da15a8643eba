"""Fetch the browser code of the elements the signed-in pages draw while the person signs in.

Streamlit's frontend loads each kind of element's code (the table, select boxes, links) only
when the first such element arrives, so the first page after signing in waited a second for
the table's code on top of its run. Importing those modules from the sign-in page, while the
person types, makes them ready by then: the same addresses, so the frontend finds them
loaded. Only Streamlit's own files are named (found in its package, never from input).
"""

import json
from functools import cache
from pathlib import Path

import streamlit as st

# The elements the engagement picker, the sidebar and the Flows page draw first.
ELEMENTS = ("Selectbox", "Button", "PageLink", "Multiselect", "DataFrame")


@cache
def _files(folder: str, suffix: str) -> tuple[str, ...]:
    found = Path(st.__file__).parent / "static" / "static" / folder
    return tuple(
        f"./static/{folder}/{path.name}"
        for name in ELEMENTS
        for path in sorted(found.glob(f"{name}.*.{suffix}"))
    )


def fetch_ahead() -> None:
    """A script that imports those modules now (nothing is drawn; a failure only costs the wait
    it would have saved)."""
    modules, styles = _files("js", "js"), _files("css", "css")
    if modules:
        # The table's stylesheet too: the frontend shows the table once its styles have loaded.
        fetches = [f"import({json.dumps(module)}).catch(() => null);" for module in modules]
        fetches += [f"fetch({json.dumps(style)}).catch(() => null);" for style in styles]
        run_script("".join(fetches))


# Hides the element that carries a script: it draws nothing, but would still take a gap.
HIDDEN = '<style>[data-testid="stElementContainer"]:has(> .stHtml > script){display:none}</style>'


def run_script(script: str) -> None:
    """Run `script` (the dashboard's own code, never text from input) in the page itself."""
    st.html(f"{HIDDEN}<script>{script}</script>", unsafe_allow_javascript=True, width="content")
