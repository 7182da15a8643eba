"""Process groups of tests and benchmarks: stopped whole, even when the leader is gone."""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from tests.processes import (
    group_members,
    processes_with_environment,
    run_in_group,
    start_group,
    stop_group,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = "PROCESS_TEST_MARKER"


def wait_until(predicate, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)
    return value


def test_stopping_a_group_stops_what_its_leader_started_after_the_leader_died():
    shell = start_group(["sh", "-c", "sleep 300 & sleep 300 & wait"])
    wait_until(lambda: len(group_members(shell.pid)) == 3)
    os.kill(shell.pid, signal.SIGKILL)  # the leader alone, as a crash would
    shell.wait()
    assert len(group_members(shell.pid)) == 2  # its children live on

    stop_group(shell)

    assert group_members(shell.pid) == []


def test_a_group_deaf_to_sigterm_is_killed_after_the_grace_period():
    shell = start_group(["sh", "-c", "trap '' TERM; sleep 300 & wait"])
    wait_until(lambda: len(group_members(shell.pid)) == 2)
    started = time.monotonic()

    stop_group(shell, grace_seconds=0.5)

    assert group_members(shell.pid) == []
    assert time.monotonic() - started < 10


def test_a_command_that_times_out_leaves_nothing_running():
    marker = uuid.uuid4().hex
    environment = {**os.environ, MARKER: marker}
    with pytest.raises(subprocess.TimeoutExpired):
        run_in_group(["sh", "-c", "sleep 300 & sleep 300"], timeout=0.5, env=environment)
    assert processes_with_environment(MARKER, marker) == []


def test_a_python_program_stopped_by_sigterm_stops_the_groups_it_started():
    marker = uuid.uuid4().hex
    program = (
        "import time\n"
        "from tests.processes import start_group\n"
        "start_group(['sleep', '300'])\n"
        "print('started', flush=True)\n"
        "time.sleep(300)\n"
    )
    environment = {**os.environ, MARKER: marker, "PYTHONPATH": ROOT}
    parent = start_group(
        [sys.executable, "-c", program], env=environment, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout.readline().strip() == "started"
        assert len(processes_with_environment(MARKER, marker)) == 2

        parent.send_signal(signal.SIGTERM)  # to the program alone, as `kill PID` does

        parent.wait(timeout=30)
        assert processes_with_environment(MARKER, marker) == []
    finally:
        stop_group(parent)
        for pid in processes_with_environment(MARKER, marker):
            os.kill(pid, signal.SIGKILL)
