"""Whether the browser tab shows the page: a hidden tab's panels stop refreshing.

Streamlit's frontend reruns a `run_every` fragment on a timer whether or not the tab is seen;
this component tells the server when the tab is hidden or shown again (one rerun each time),
so the page can draw its fragments without `run_every` while nobody looks.
"""

import streamlit as st

# Trusted, fixed code (no data from anyone): reports the page's visibility as it changes.
_JS = """
export default function (component) {
  const { setStateValue } = component;
  const report = () => setStateValue("hidden", document.visibilityState === "hidden");
  if (document.visibilityState === "hidden") report();
  document.addEventListener("visibilitychange", report);
  return () => document.removeEventListener("visibilitychange", report);
}
"""
_component = st.components.v2.component("collection_tab_visibility", js=_JS)


def hidden(key: str = "tab_visibility") -> bool:
    """True while the tab is hidden (its change reruns the page)."""
    result = _component(key=key, default={"hidden": False}, on_hidden_change=lambda: None)
    return bool(getattr(result, "hidden", False))
