"""The answer grid at size on PostgreSQL: a flow with N open questions (default 5,000), the time
of what one page run of the grid does (read the open questions with their owners and answers,
build the editor's table with every cell checked), of one Save of every answer, and of the
answer spreadsheet both ways. Prints one JSON object.

The page time here is the server's side of a run (the core reads and the table the editor is
sent), not the browser's drawing of it.
"""

import argparse
import io
import json
import signal
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import text, update  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bench.scale_estate import estate_database, make_engagement, peak_rss_mb  # noqa: E402
from bench.scratch import DEFAULT_SERVER, servers  # noqa: E402
from core.flows.child_flow_service import CollectionChildFlowService  # noqa: E402
from core.flows.orchestrator import create_flow  # noqa: E402
from core.inventory.answer_sheets import answer_sheet, import_answer_sheet  # noqa: E402
from core.kernel.context import RequestContext  # noqa: E402
from core.questionnaires.many_answers import save_many_answers  # noqa: E402
from core.questionnaires.open_questions import list_open_questions  # noqa: E402
from core.storage.unit_of_work import engagement_uow  # noqa: E402
from dashboard.widgets.answer_grid import Draft, frame  # noqa: E402
from db.models import CollectionDataGap  # noqa: E402
from db.session import create_db_engine  # noqa: E402

QUESTIONS_PER_ASSET = 3  # CPU cores, memory, operating system
REPEATS = 3


def timed(call: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def in_uow(make_session: Any, ctx: RequestContext, use_case: Any, *args: Any, **kw: Any) -> Any:
    with make_session() as db, engagement_uow(ctx, db) as uow:
        return use_case(uow, *args, **kw)


def seed(
    owner_url: str, make_session: Any, questions: int, analyze: bool = True
) -> tuple[RequestContext, str]:
    ctx = make_engagement(owner_url)
    owner = sessionmaker(create_db_engine(owner_url))
    with owner() as db:
        assets = servers(
            ctx,
            max(1, questions // QUESTIONS_PER_ASSET),
            name="host-{:06d}",
            os_version="8",
            storage_gb=100.0,
            environment="production",
            business_criticality="high",
            business_owner="Dana Ortiz",
            custom_attributes={
                "network_zone": "dmz",
                "virtualization_platform": "vmware",
                "end_of_support_date": "2030-01-01",
                "known_vulnerabilities": 0,
            },
        )
        for n, asset in enumerate(assets):
            asset.technical_owner = f"owner{n % 200}@example.org"
        db.add_all(assets)
        db.commit()
        asset_ids = [str(asset.id) for asset in assets]
    with make_session() as db, engagement_uow(ctx, db) as uow:
        flow_id = create_flow(uow, "Answer grid bench")
    with make_session() as db:
        service = CollectionChildFlowService(db, ctx)
        service.execute_phase(flow_id, "asset_selection", {"selected_asset_ids": asset_ids})
        service.execute_phase(flow_id, "gap_analysis")
        child = service.get_by_master_flow_id(flow_id)
        db.execute(
            update(CollectionDataGap)
            .where(CollectionDataGap.collection_flow_id == child.id)
            .where(CollectionDataGap.field_name == "operating_system")
            .values(predicted_value="Linux", confidence_score=0.9)
        )
        db.commit()
        service.execute_phase(flow_id, "questionnaire_generation")
    if analyze:  # as an import and a gap scan leave the statistics (autovacuum may be off)
        with owner() as db:
            for table in ("assets", "collection_data_gaps", "questionnaires", "collection_flows"):
                db.execute(text(f"ANALYZE {table}"))
            db.commit()
    return ctx, flow_id


def page_run(make_session: Any, ctx: RequestContext, flow_id: str, draft: Draft) -> int:
    listed = in_uow(make_session, ctx, list_open_questions, flow_id)
    return len(frame(listed.rows, draft))


def run(questions: int, server: str, analyze: bool = True) -> dict[str, Any]:
    figures: dict[str, Any] = {
        "benchmark": "answer_grid", "questions_asked": questions, "analyzed": analyze,
    }  # fmt: skip
    with estate_database("postgresql", server) as (owner_url, app_url):
        engine = create_db_engine(app_url)
        make_session = sessionmaker(engine, expire_on_commit=False)
        ctx, flow_id = seed(owner_url, make_session, questions, analyze)
        listed = in_uow(make_session, ctx, list_open_questions, flow_id)
        figures["open_questions"] = listed.matching
        figures["rows_in_grid"] = len(listed.rows)
        empty = Draft()
        times = [
            timed(lambda: page_run(make_session, ctx, flow_id, empty))[0] for _ in range(REPEATS)
        ]
        figures["page_run_s"] = {"first": round(times[0], 3), "best": round(min(times), 3)}
        # Every cell typed and checked as it would be before Save.
        typed = Draft(answers={row.question_id: "8" for row in listed.rows})
        seconds, _ = timed(lambda: frame(listed.rows, typed))
        figures["table_with_every_cell_checked_s"] = round(seconds, 3)
        seconds, sheet = timed(lambda: in_uow(make_session, ctx, answer_sheet, flow_id))
        figures["download_xlsx"] = {"seconds": round(seconds, 3), "bytes": len(sheet)}
        answers = {row.question_id: "Linux" if row.field_name == "operating_system" else "8"
                   for row in listed.rows}  # fmt: skip
        seconds, saved = timed(
            lambda: in_uow(make_session, ctx, save_many_answers, flow_id, answers)
        )
        figures["one_save"] = {
            "seconds": round(seconds, 3),
            "answers": saved.saved,
            "answers_per_s": round(saved.saved / seconds),
        }
        workbook = load_workbook(io.BytesIO(sheet))
        rows = workbook["Open questions"]
        for row in rows.iter_rows(min_row=2):
            row[-1].value = "Linux" if row[2].value == "Operating system family" else 16
        buffer = io.BytesIO()
        workbook.save(buffer)
        seconds, report = timed(
            lambda: in_uow(make_session, ctx, import_answer_sheet, flow_id, buffer.getvalue())
        )
        figures["upload_xlsx"] = {"seconds": round(seconds, 3), "answers": report.saved}
        engine.dispose()
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=5_000)
    parser.add_argument("--server", default=DEFAULT_SERVER)
    parser.add_argument(
        "--no-analyze", action="store_true", help="leave the tables without statistics"
    )
    args = parser.parse_args()
    # Stopped (a timeout, a kill): unwind, so the scratch database and role are dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    print(json.dumps(run(args.questions, args.server, not args.no_analyze), indent=1))


if __name__ == "__main__":
    main()
