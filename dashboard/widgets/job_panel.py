"""The job's panel in the browser: the Processed figure and the bar, kept current by polling
the web process's progress route, not by rerunning a script.

The page run draws the panel with its own read (no flicker, no wait) and hands the browser a
short-lived pass. The browser then polls at the chosen interval (the longest one while the flow
has no live job; not at all while the tab is hidden) and redraws the two figures. When what it
reads calls for the page itself (the job ended, failed, stalled or started, or the pass was
refused), it asks for one page run, which draws the messages and buttons and a fresh pass.
"""

from typing import Any

import streamlit as st

_HTML = """
<div class="job-panel" hidden>
  <div class="job-panel-metric" data-testid="jobProcessed">
    <div class="job-panel-label">Processed</div>
    <div class="job-panel-value"></div>
  </div>
  <div class="job-panel-bar" data-testid="jobProgress">
    <div class="job-panel-line"></div>
    <div class="job-panel-track"><div class="job-panel-fill"></div></div>
  </div>
  <div class="job-panel-asset"></div>
  <ul class="job-panel-errors"></ul>
</div>
"""
# Scoped by class: the panel is drawn in the page (no shadow root), so page scripts and tests
# see it as they see Streamlit's own elements.
_CSS = """
.job-panel { font-family: var(--st-font, sans-serif); color: var(--st-text-color, inherit); }
.job-panel[hidden] { display: none; }
.job-panel-label { font-size: 0.875rem; }
.job-panel-value { font-size: 2.25rem; line-height: 1.3; padding-bottom: 0.5rem; }
.job-panel-line { font-size: 0.875rem; padding-bottom: 0.25rem; }
.job-panel-track { height: 0.5rem; border-radius: 0.25rem;
  background: var(--st-secondary-background-color, #f0f2f6); overflow: hidden; }
.job-panel-fill { height: 100%; width: 0; background: var(--st-primary-color, #ff4b4b); }
/* Not the running colour once a job waits, stalls or ends (the line says it in words too). */
.job-panel-fill[data-tone="queued"] { background: #6b7280; }
.job-panel-fill[data-tone="stalled"] { background: #b45309; }
.job-panel-fill[data-tone="failed"] { background: #b91c1c; }
.job-panel-fill[data-tone="completed"] { background: #15803d; }
.job-panel-asset { padding-top: 0.5rem; font-family: var(--st-code-font, monospace);
  font-size: 0.875rem; }
.job-panel-errors { margin: 0.25rem 0 0; padding-left: 1.25rem; font-size: 0.875rem; }
"""
# Trusted, fixed code. What it draws from the server (figures, the line, an asset's name, error
# texts) goes in as textContent only: never parsed as markup.
_JS = """
function draw(root, shown) {
  root.hidden = !shown.job;
  if (!shown.job) return;
  root.querySelector(".job-panel-value").textContent = shown.figures;
  root.querySelector(".job-panel-line").textContent = shown.line;
  const share = Math.min(100, Math.max(0, Number(shown.percentage) || 0));
  const fill = root.querySelector(".job-panel-fill");
  fill.style.width = share + "%";
  fill.dataset.tone = shown.tone || "running";
  root.querySelector(".job-panel-asset").textContent =
    shown.current_asset ? "Current asset: " + shown.current_asset : "";
  const errors = root.querySelector(".job-panel-errors");
  errors.replaceChildren(...(shown.errors || []).map((text) => {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }));
}

export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  const root = parentElement.querySelector(".job-panel");
  const first = data.first;
  draw(root, first);
  if (!data.every) return;
  const seconds = first.live ? data.every : Math.max(data.every, data.idle_every);
  const address = data.endpoint + "?token=" + encodeURIComponent(data.token);
  let timer = null, busy = false, stopped = false, controller = null;
  const visible = () => document.visibilityState !== "hidden";
  const rerun = (why) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    setTriggerValue("rerun", why);
  };
  const schedule = () => {
    if (!stopped && !busy && timer === null && visible()) {
      timer = setTimeout(poll, seconds * 1000);
    }
  };
  const poll = async () => {
    timer = null;
    if (stopped || busy || !visible()) return;
    busy = true;
    controller = new AbortController();
    try {
      const answer = await fetch(address, { cache: "no-store", signal: controller.signal });
      if (answer.status === 403 || answer.status === 404) return rerun("pass");
      if (answer.ok) {
        const shown = await answer.json();
        if (stopped) return;
        // A job that ended or started: the page run draws it, with the page it belongs to
        // (the enhanced rows, the next phase), not this panel ahead of them.
        if (shown.live !== first.live || shown.job !== first.job) return rerun("job");
        draw(root, shown);
      }
    } catch (error) {
      // A lost answer (network, a restarting server): the next poll tries again.
    } finally {
      busy = false;
    }
    schedule();
  };
  // Hidden: no polls. Shown again: one at once, then at the interval.
  const onVisibility = () => {
    clearTimeout(timer);
    timer = null;
    if (visible()) poll();
  };
  document.addEventListener("visibilitychange", onVisibility);
  schedule();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (controller) controller.abort();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
"""
_component = st.components.v2.component(
    "collection_job_panel", html=_HTML, css=_CSS, js=_JS, isolate_styles=False
)


def show(
    first: dict[str, Any],
    endpoint: str,
    token: str,
    every: int,
    idle_every: int,
    key: str = "job_panel",
) -> None:
    """Draw `first` (job_figures.shown) and poll `endpoint` with `token` every `every` s (0: never;
    `idle_every` while no job is live); a rerun of the page when the browser asks for one.
    `key` tells two panels of one page apart."""
    data = {
        "first": first,
        "endpoint": endpoint,
        "token": token,
        "every": every,
        "idle_every": idle_every,
    }
    _component(key=key, data=data, on_rerun_change=lambda: None)
