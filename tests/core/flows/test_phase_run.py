"""A phase run's state (pure): when it blocks a start, stalls, and how it reads back."""

from dataclasses import replace

from core.flows.phase_run import PhaseRun, PhaseRunProgress, PhaseRunStatus, phase_run_key


def queued() -> PhaseRun:
    return PhaseRun.queued(("asset_selection", "gap_analysis"), 400, "someone", now=1000.0)


def test_a_queued_run_blocks_a_start_until_its_heartbeat_is_older_than_the_stall_limit():
    run = queued()
    assert run.blocks_start(1059.0, 60) and not run.is_stalled(1059.0, 60)
    assert run.is_stalled(1061.0, 60) and not run.blocks_start(1061.0, 60)


def test_an_ended_run_never_blocks_nor_stalls():
    for status in (PhaseRunStatus.COMPLETED, PhaseRunStatus.FAILED):
        run = replace(queued(), status=status)
        assert not run.blocks_start(1e9, 60) and not run.is_stalled(1e9, 60)


def test_the_percentage_counts_done_of_total_and_a_completed_run_is_whole():
    assert replace(queued(), done=100).percentage == 25.0
    assert replace(queued(), done=900).percentage == 100.0
    assert replace(queued(), total=0).percentage == 0.0
    assert replace(queued(), status=PhaseRunStatus.COMPLETED, done=3).percentage == 100.0


def test_a_run_reads_back_as_it_was_written_and_names_its_phase_in_words():
    run = replace(queued(), failure="It stopped.", done=7)
    assert PhaseRun.from_primitives(run.primitives()) == run
    assert run.words == "asset selection"
    assert replace(run, phase="gap_analysis").words == "gap scan"
    assert phase_run_key("abc") == "flow_phase_run:abc"


def test_progress_says_stalled_and_not_live_when_the_worker_stopped_reporting():
    progress = PhaseRunProgress.of(queued(), now=2000.0, stall_seconds=60)
    assert progress is not None and progress.stalled and not progress.is_live
    assert progress.shown_status == "stalled"
    assert PhaseRunProgress.of(None, 0.0, 60) is None


def test_a_running_run_whose_worker_went_offline_is_stalled_at_once_and_says_so():
    run = replace(queued(), status=PhaseRunStatus.RUNNING, worker="host:1", heartbeat_at=1000.0)
    assert PhaseRun.from_primitives(run.primitives()) == run
    offline = PhaseRunProgress.of(run, now=1001.0, stall_seconds=600, worker_online=False)
    assert offline is not None and offline.worker_offline and offline.stalled
    assert not offline.is_live and offline.shown_status == "worker offline"
    online = PhaseRunProgress.of(run, now=1001.0, stall_seconds=600, worker_online=True)
    assert online is not None and online.is_live and not online.worker_offline
    # Queued (no worker yet) or ended: a worker's absence says nothing of it.
    assert not queued().worker_gone(False)
    assert not replace(run, status=PhaseRunStatus.COMPLETED).worker_gone(False)
    assert not replace(run, worker=None).worker_gone(False)


def test_a_run_names_its_worker_except_a_long_write_on_sqlite_where_its_beat_waits():
    from core.flows.phase_run_worker import _named

    for phase in ("asset_selection", "gap_analysis", "questionnaire_generation"):
        assert _named("host:1", phase, beside=True) == "host:1"  # PostgreSQL
    assert _named("host:1", "gap_analysis", beside=False) == "host:1"  # commits per batch
    assert _named("host:1", "asset_selection", beside=False) is None
    assert _named("host:1", "questionnaire_generation", beside=False) is None
