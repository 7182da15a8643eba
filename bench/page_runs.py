"""Each page's script run on the demo data (500 assets an engagement), as the admin of the
first engagement: the server's share of "drawn after sign-in" (no browser, no network).
Prints one JSON object: per page, the first run and the median of later runs, in seconds.

    python bench/page_runs.py [--assets 500] [--repeat 3] [--server postgresql://...]
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scratch import DEFAULT_SERVER, scratch_database  # noqa: E402

PAGES = ("flows", "flow", "gaps", "questionnaires", "assets", "overview", "data", "admin",
         "people", "clients")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    args = parser.parse_args()
    with (
        scratch_database(args.server, "bench_page_runs") as url,
        tempfile.TemporaryDirectory() as tmp,
    ):
        os.environ.update(
            DATABASE_URL=url,
            HUEY_SQLITE_PATH=str(Path(tmp) / "huey.db"),
            SESSION_SECRET="bench-page-runs-" + "s" * 32,
        )
        os.environ.pop("REDIS_URL", None)
        print(json.dumps(measure(args.assets, args.repeat), indent=2))


def measure(assets: int, repeat: int) -> dict[str, object]:
    from sqlalchemy import select
    from streamlit.testing.v1 import AppTest

    from cli.seed import seed_demo
    from core.access.identity import SignedInUser
    from core.kernel.context import RequestContext
    from dashboard import state
    from db.models import Engagement, Membership, User
    from db.session import open_session
    from tests.factories import signed_in_context

    with contextlib.redirect_stdout(io.StringIO()):  # the demo's passwords
        seed_demo(assets, 7)
    with open_session() as db:
        user = db.scalars(select(User).where(User.email == "admin@demo.local")).one()
        membership = db.scalars(select(Membership).where(Membership.user_id == user.id)).first()
        engagement_id = membership.engagement_id
        if engagement_id is None:  # a client-wide admin: the client's first engagement
            engagement_id = db.scalars(
                select(Engagement.id).where(
                    Engagement.client_account_id == membership.client_account_id
                )
            ).first()
        ctx = signed_in_context(
            db, RequestContext(membership.client_account_id, engagement_id), user.id, "admin"
        )
        db.commit()
    results: dict[str, object] = {"assets_per_engagement": assets}
    for page in PAGES:
        app = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=120)
        app.session_state[state.CONTEXT] = ctx
        app.session_state[state.SIGN_IN_SESSION] = ctx.sign_in_session_id
        app.session_state[state.USER] = SignedInUser(user.id, user.email, user.display_name)
        app.run()
        app.switch_page(f"views/{page}.py")
        times = []
        for _ in range(1 + repeat):
            started = time.perf_counter()
            app.run()
            times.append(time.perf_counter() - started)
        results[page] = {
            "first_s": round(times[0], 3),
            "median_s": round(statistics.median(times[1:]), 3),
            "error": bool(app.exception),
        }
    return results


if __name__ == "__main__":
    main()
