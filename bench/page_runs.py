"""Each page's server time with the demo data: one Streamlit script run (AppTest, in this
process, as the web process runs it after sign-in), cold (the first, with its imports) and warm
(the median of the next runs), and the SQL statements of a warm run. Prints JSON.

    python bench/page_runs.py [--runs 3] [--pages overview gaps] [--profile gaps]

`--profile PAGE` also prints the warm run's top functions (cumulative) to stderr.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script's folder shares no name with a package, but the checkout must come first.
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from tests.dashboard.live import add_user, scratch_stack  # noqa: E402
from tests.processes import interrupt_on_termination  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
PASSWORD = f"Bench-{uuid.uuid4().hex[:10]}"
CLIENT, ENGAGEMENT = "Northwind Health", "Datacenter Exit 2027"
# The pages a signed-in admin opens; the flow pages on the demo flow with the most gaps.
PAGES = (
    "overview",
    "flows",
    "flow",
    "gaps",
    "questionnaires",
    "assets",
    "data",
    "admin",
    "people",
    "clients",
)
FLOW_PAGES = {"flow", "gaps", "questionnaires"}


class StatementCount:
    def __init__(self) -> None:
        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._counted)

    def _counted(self, *_: object) -> None:
        self.count += 1


def signed_in_state(
    email: str = "bench@demo.local", password: str = "", engagement: str = ENGAGEMENT
) -> dict:
    """The session state the sign-in form leaves: the user, their sign-in session, the
    engagement's context."""
    from core.access import identity, sessions
    from core.storage.account_unit_of_work import account_uow
    from dashboard import state

    with account_uow() as uow:
        user = identity.authenticate(uow, email, password or PASSWORD)
    with account_uow() as uow:
        started = sessions.start_session(uow, user.user_id, "password")
    with account_uow() as uow:
        [choice] = [
            c
            for c in identity.list_engagements(uow, user.user_id)
            if c.engagement_name == engagement
        ]
    with account_uow() as uow:
        ctx = identity.context_for(
            uow,
            user.user_id,
            choice.client_account_id,
            choice.engagement_id,
            sign_in_session_id=started.session_id,
        )
    return {
        state.USER: user,
        state.SIGN_IN_SESSION: started.session_id,
        state.CONTEXT: ctx,
        state.ENGAGEMENT: choice,
    }


def busiest_flow(ctx) -> str:
    from core.flows import overview
    from core.storage.unit_of_work import engagement_uow

    with engagement_uow(ctx) as uow:
        flows = overview.flow_summaries(uow)
    return str(max(flows, key=lambda flow: flow["gaps"] or 0)["flow_id"])


def open_app(page: str, session: dict, flow_id: str) -> AppTest:
    app = AppTest.from_file(str(APP), default_timeout=120)
    for key, value in session.items():
        app.session_state[key] = value
    app.run()
    app.switch_page(f"views/{page}.py")
    if page in FLOW_PAGES:
        app.query_params["flow"] = flow_id
    return app


def timed_run(app: AppTest) -> float:
    started = time.perf_counter()
    app.run()
    return time.perf_counter() - started


def page_figures(page: str, session: dict, flow_id: str, runs: int, profile: bool) -> dict:
    app = open_app(page, session, flow_id)
    cold = timed_run(app)
    errors = [element.value for element in app.exception]
    warm = [timed_run(app) for _ in range(runs)]
    statements = StatementCount()
    profiler = cProfile.Profile() if profile else None
    if profiler:
        # The script runs in a thread of its own: profile that thread from its start.
        threading.setprofile(lambda *_: profiler.enable())
    timed_run(app)
    if profiler:
        threading.setprofile(None)  # type: ignore[arg-type]
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
        print(text.getvalue(), file=sys.stderr)
    event.remove(Engine, "before_cursor_execute", statements._counted)
    return {
        "cold_s": round(cold, 3),
        "warm_median_s": round(statistics.median(warm), 3),
        "warm_runs_s": [round(run, 3) for run in warm],
        "sql_statements_per_run": statements.count,
        **({"errors": [str(error)[:300] for error in errors]} if errors else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", nargs="*", default=list(PAGES), choices=PAGES)
    parser.add_argument("--profile", choices=PAGES)
    parser.add_argument("--seed-args", default="", help="more arguments of `seed --demo`")
    args = parser.parse_args()
    interrupt_on_termination()  # a SIGTERM still drops the database and role
    result: dict = {"benchmark": "page_runs", "engagement": ENGAGEMENT, "pages": {}}
    with scratch_stack("pageruns", seed_args=tuple(args.seed_args.split())) as (stack, _, _):
        add_user(stack, "bench@demo.local", "admin", CLIENT, PASSWORD)
        os.environ.update(stack.env)
        from config.settings import get_settings
        from db.session import get_engine

        get_settings.cache_clear()
        get_engine.cache_clear()
        session = signed_in_state()
        flow_id = busiest_flow(session["request_context"])
        for page in args.pages:
            figures = page_figures(page, session, flow_id, args.runs, page == args.profile)
            result["pages"][page] = figures
        get_engine().dispose()
    result["aim"] = {"warm_median_s": 1.0}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
