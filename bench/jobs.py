"""Gap jobs on PostgreSQL + Redis: submission and progress latency, worker throughput.

Prints one JSON object. Creates and drops its own database, role and Redis keys.
    python bench/jobs.py [--submissions 1000] [--jobs 50]
"""

import argparse
import json
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script shares its name with the jobs package: let `import jobs` find the package.
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.scratch import scratch_deployment, start_consumer, tenant_with_flows  # noqa: E402
from tests.processes import interrupt_on_termination  # noqa: E402

HUEY_CONSUMER = str(Path(sys.executable).parent / "huey_consumer")
CONSUMER = [
    HUEY_CONSUMER,
    "jobs.huey_app.huey",
    "--workers",
    "2",
    "--delay",
    "0.01",
    "--max-delay",
    "0.05",
]
MISSING = ("business_owner", "technical_owner", "business_criticality", "environment", "os_version")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def millis(values: list[float]) -> dict:
    return {
        "p50_ms": round(percentile(values, 0.5) * 1000, 3),
        "p99_ms": round(percentile(values, 0.99) * 1000, 3),
        "mean_ms": round(statistics.fmean(values) * 1000, 3),
        "n": len(values),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--worker-type", choices=("thread", "process"), default="process")
    args = parser.parse_args()
    interrupt_on_termination()  # a SIGTERM still stops the consumers and drops the database
    with scratch_deployment("jobs", GAP_JOB_PAUSE_SECONDS="0") as consumers:
        print(json.dumps(run(args, consumers)))


def run(args, consumers: list) -> dict:
    from sqlalchemy.orm import sessionmaker

    from config.settings import get_settings
    from core.enhancement import jobs as gap_jobs
    from core.kernel.dispatch import set_dispatcher
    from core.storage.unit_of_work import engagement_uow
    from db.session import get_engine
    from jobs.huey_app import make_huey
    from jobs.tasks import register_tasks

    settings = get_settings()
    huey = make_huey(settings)
    set_dispatcher(register_tasks(huey))
    make_session = sessionmaker(get_engine(), expire_on_commit=False)
    ctx, gaps, flows = tenant_with_flows(
        make_session,
        assets=40,
        missing=MISSING,
        flows=args.submissions + args.jobs + 2,
        flow_name="bench",
        operating_system="Linux",
        cpu_cores=4,
        memory_gb=16.0,
    )

    # Submission latency: one full 200-gap submission to each of many flows (queue not drained).
    submit_times = []
    with make_session() as db:
        for flow_id in flows[: args.submissions]:
            started = time.perf_counter()
            gap_jobs.submit_gap_analysis(db, ctx, flow_id, gaps)
            submit_times.append(time.perf_counter() - started)
    consumer_backlog = huey.pending_count()
    huey.flush()

    # Progress reads: what the dashboard's fragment does per tick, and the full use case.
    reader_times, use_case_times = [], []
    with make_session() as db:
        with engagement_uow(ctx, db) as uow:
            read = gap_jobs.progress_reader(uow, flows[0])
        for _ in range(1000):
            started = time.perf_counter()
            read()
            reader_times.append(time.perf_counter() - started)
        for _ in range(1000):
            started = time.perf_counter()
            gap_jobs.get_gap_analysis_progress(db, ctx, flows[0])
            use_case_times.append(time.perf_counter() - started)

    consumers.append(start_consumer([*CONSUMER, "--worker-type", args.worker_type]))
    throughput(make_session, gap_jobs, ctx, [flows[-2]], gaps[:5])  # warm-up: workers started
    single_job = throughput(make_session, gap_jobs, ctx, [flows[-1]], gaps)
    many_jobs = throughput(make_session, gap_jobs, ctx, flows[args.submissions : -2], gaps)
    baseline = bare_upserts(make_session, ctx, flows[-1], gaps, repeat=5)
    return {
        "benchmark": "jobs",
        "database": "postgresql (application role under row-level security)",
        "job_keys": "redis",
        "gaps_per_submission": len(gaps),
        "submission_latency": millis(submit_times),
        "queued_tasks_after_submissions": consumer_backlog,
        "progress_read_latency_per_tick": millis(reader_times),
        "progress_read_latency_with_tenant_check": millis(use_case_times),
        "worker_throughput_one_job_gaps_per_second": single_job,
        "worker_throughput_many_jobs": {
            "jobs": args.jobs,
            "gaps": args.jobs * len(gaps),
            "consumer_workers": 2,
            "worker_type": args.worker_type,
            "gaps_per_second": many_jobs,
        },
        "baseline_upsert_and_commit_per_gap_gaps_per_second": baseline,
        "ratio_one_job_to_baseline": round(single_job / baseline, 3),
        "ratio_many_jobs_to_baseline": round(many_jobs / baseline, 3),
    }


def throughput(make_session, gap_jobs, ctx, flow_ids: list[str], gaps: list[dict]) -> float:
    """Gaps per second from the first submission to the last job's completion."""
    from core.storage.unit_of_work import engagement_uow

    started = time.perf_counter()
    with make_session() as db:
        for flow_id in flow_ids:
            gap_jobs.submit_gap_analysis(db, ctx, flow_id, gaps)
        with engagement_uow(ctx, db) as uow:
            readers = [gap_jobs.progress_reader(uow, flow_id) for flow_id in flow_ids]
    deadline = time.monotonic() + 900
    # Jobs finish roughly in order: watch one key at a time, so watching costs the workers little.
    for read in readers:
        while (progress := read()) is None or progress.status != "completed":
            if time.monotonic() > deadline:
                raise RuntimeError("jobs did not complete within 15 minutes")
            time.sleep(0.02)
        if progress.errors:
            raise RuntimeError(f"a job had errors: {progress.errors[:3]}")
    return round(len(flow_ids) * len(gaps) / (time.perf_counter() - started), 1)


def bare_upserts(make_session, ctx, flow_id: str, gaps: list[dict], repeat: int) -> float:
    """One upsert and one commit per gap, no queue, no agent, no progress: the floor."""
    from core.gaps.store import upsert_gap
    from core.storage.flows import CollectionFlowRepository
    from db.session import bind_tenant

    with make_session() as db:
        flow = CollectionFlowRepository(db, ctx.client_account_id, ctx.engagement_id)
        collection_flow_id = flow.get_by_master_flow_id(uuid.UUID(flow_id)).id
        db.commit()
        bind_tenant(db, ctx.client_account_id, ctx.engagement_id)
        started = time.perf_counter()
        for attempt in range(repeat):
            for gap in gaps:
                upsert_gap(
                    db,
                    collection_flow_id,
                    gap["field_name"],
                    gap["gap_type"],
                    uuid.UUID(gap["asset_id"]),
                    {
                        "gap_category": "business",
                        "priority": 1,
                        "description": f"run {attempt}",
                        "confidence_score": 0.5,
                    },
                )
                db.commit()
        return round(repeat * len(gaps) / (time.perf_counter() - started), 1)


if __name__ == "__main__":
    main()
