"""What the Overview reads of each engagement it shows."""

from core.enhancement.job_history import list_jobs
from core.enhancement.jobs import list_job_states
from core.enhancement.phase_run_health import current_phase_runs
from core.flows import overview, trend
from core.requests.progress import response_figures
from core.storage.unit_of_work import UnitOfWork


def engagement_reads(uow: UnitOfWork) -> tuple:
    """What the Overview reads of one engagement, in one unit of work: one connection, one
    tenant binding and one check of the person's standing, not one of each per read."""
    return (
        overview.flow_summaries(uow),
        overview.pending_gaps_by_attribute(uow),
        trend.resolution_weeks(uow),
        overview.phase_histories(uow),
        list_jobs(uow),
        response_figures(uow),
        list_job_states(uow),
        current_phase_runs(uow),
    )
