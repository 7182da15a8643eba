"""Processes that tests and benchmarks start: each leads a process group of its own, and the
whole group is stopped (what the process started too), however the run that started it ends."""

import atexit
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

# Groups started here and not stopped yet, by group id: atexit stops what a run left.
_running: dict[int, subprocess.Popen] = {}


def interrupt_on_termination() -> None:
    """Make SIGTERM and SIGHUP raise KeyboardInterrupt, as Ctrl-C does, so that finally blocks,
    context managers, pytest's teardown and atexit all run and stop the groups started here.

    Only default handlers are replaced, and only from the main thread (where Python runs them).
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(number) is signal.SIG_DFL:
            signal.signal(number, _interrupt)


def _interrupt(number: int, frame) -> None:
    raise KeyboardInterrupt(f"stopped by {signal.Signals(number).name}")


def start_group(args: Sequence[str], **popen_options) -> subprocess.Popen:
    """Start `args` as the leader of a new process group (its own session)."""
    interrupt_on_termination()
    process = subprocess.Popen(args, start_new_session=True, **popen_options)
    _running[process.pid] = process
    return process


def stop_group(
    process: subprocess.Popen, first_signal: int = signal.SIGTERM, grace_seconds: float = 15
) -> None:
    """Send `first_signal` to the whole group, give it `grace_seconds`, then SIGKILL what is left.

    The group is signalled even when its leader has already exited: what the leader started
    (a consumer's worker processes) may still be running.
    """
    group = process.pid
    _signal_group(group, first_signal)
    if not _wait_until_empty(process, grace_seconds):
        _signal_group(group, signal.SIGKILL)
        if not _wait_until_empty(process, 30):
            raise RuntimeError(f"process group {group} survived SIGKILL: {group_members(group)}")
    _running.pop(group, None)


def run_in_group(
    args: Sequence[str],
    timeout: float,
    stdin: str | None = None,
    check: bool = False,
    **popen_options,
) -> subprocess.CompletedProcess:
    """subprocess.run with captured text output, whose process group is stopped however the
    call ends; `check` raises CalledProcessError on a non-zero exit, as subprocess.run does."""
    process = start_group(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen_options,
    )
    try:
        stdout, stderr = process.communicate(stdin, timeout=timeout)
    finally:
        stop_group(process)
    done = subprocess.CompletedProcess(list(args), process.returncode, stdout, stderr)
    if check:
        done.check_returncode()
    return done


def group_members(group: int) -> list[int]:
    """The ids of the group's processes still running (zombies excluded), read from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # the process ended while we looked
            continue
        # The command name is in parentheses and may hold anything: the fields follow the last ")".
        state, _parent, process_group = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(process_group) == group and state != "Z":
            members.append(int(entry.name))
    return members


def processes_with_environment(name: str, value: str) -> list[int]:
    """The ids of running processes whose environment holds name=value (children inherit it):
    finds what a run left behind, whatever process group it ended up in."""
    wanted = f"{name}={value}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):  # ended while we looked, or not ours to read
            if wanted in (entry / "environ").read_bytes().split(b"\0"):
                found.append(int(entry.name))
    return found


def _signal_group(group: int, number: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, number)


def _wait_until_empty(process: subprocess.Popen, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while True:
        process.poll()  # reap the leader, or it stays a member (a zombie) of its group
        if not group_members(process.pid):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


@atexit.register
def _stop_groups_left_running() -> None:
    for process in list(_running.values()):
        stop_group(process, grace_seconds=5)
