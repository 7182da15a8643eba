"""Protocol clients for bench/sessions.py, spread over several client processes.

One Python process drives only so many refreshes a second (it parses every message of every
run it asks for), so a team of hundreds is split over K processes, each the leader of its own
process group. Each process signs its analysts in, starts their panels' polls (the progress
route, with the pass each page run handed the panel), prints one JSON line when ready, and then
answers on stdin: `count` (the polls so far) and `stop` (stops the polls, closes the sessions,
prints what each session saw and exits).

    python bench/session_clients.py URL --count 25 --query flow=<id> [--tick S] [--offset S]
The password is read from the environment (BENCH_PASSWORD), never from the command line.
"""

import argparse
import asyncio
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0]).resolve() == ROOT / "bench":
    sys.path[0] = str(ROOT)

from bench.stream_client import StreamSession  # noqa: E402
from tests.processes import start_group, stop_group  # noqa: E402

# Refreshes a second one client process keeps up with, with room to spare on a busy machine.
REFRESHES_PER_PROCESS = 12.5
PASSWORD_VARIABLE = "BENCH_PASSWORD"


def default_processes(clients: int, interval: float) -> int:
    return max(1, math.ceil(clients / interval / REFRESHES_PER_PROCESS))


async def sign_in(session: StreamSession, email: str, password: str, engagement: str) -> float:
    """Sign in and open the engagement; the seconds from pressing Sign in to the page drawn."""
    await session.open()
    await session.run()
    started = time.perf_counter()
    await session.submit({"Email": email, "Password": password}, "Sign in")
    await session.submit({"Engagement": engagement}, "Open engagement")
    return time.perf_counter() - started


async def serve(args: argparse.Namespace) -> None:
    password = os.environ[PASSWORD_VARIABLE]
    sessions = [
        StreamSession(args.url, page_name=args.page, query_string=args.query)
        for _ in range(args.count)
    ]
    gate = asyncio.Semaphore(args.parallel)

    async def signed_in(session: StreamSession) -> float:
        async with gate:
            return await sign_in(session, args.email, password, args.engagement)

    seconds = await asyncio.gather(*(signed_in(session) for session in sessions))
    missing = [session.texts for session in sessions if session.panel is None]
    if missing:
        raise RuntimeError(f"no job panel after signing in: {missing[0]}")
    stop = asyncio.Event()
    ticking = []
    interval = args.tick or sessions[0].panel["every"]  # type: ignore[index]
    await asyncio.sleep(args.offset)
    for number, session in enumerate(sessions):
        await asyncio.sleep(interval / len(sessions) if number else 0)
        ticking.append(asyncio.create_task(session.poll_panel(stop, args.tick)))
    say({"ready": len(sessions), "sign_in_s": [round(s, 3) for s in seconds]})
    loop = asyncio.get_running_loop()
    while True:
        command = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
        polls = sum(session.polls for session in sessions)
        lost = sum(session.lost for session in sessions)
        if command == "count":
            say({"polls": polls})
            continue
        stop.set()
        await asyncio.gather(*ticking, return_exceptions=True)  # a lost session's timer failed
        await asyncio.gather(*(session.close() for session in sessions))
        seen = [{str(k): v for k, v in s.seen_processed.items()} for s in sessions]
        page_runs = sum(session.page_runs_asked for session in sessions)
        say({"polls": polls, "page_runs_asked": page_runs, "lost": lost, "seen": seen})
        return


def say(answer: dict) -> None:
    sys.stdout.write(json.dumps(answer) + "\n")
    sys.stdout.flush()


class ClientProcesses:
    """K client processes driving `count` sessions between them, stopped as groups."""

    def __init__(self, url: str, count: int, processes: int, options: list[str], env: dict):
        self.processes: list[subprocess.Popen] = []
        self.url, self.count, self.options, self.env = url, count, options, env
        self.wanted = max(1, min(processes, count))
        self.sign_in_seconds: list[float] = []
        self.lost = 0
        self.page_runs_asked = 0

    def __enter__(self) -> "ClientProcesses":
        return self

    def __exit__(self, *exc_info: object) -> None:
        for process in self.processes:
            stop_group(process)

    def start(self, interval: float, one_by_one: bool) -> None:
        """Start every process; `one_by_one`: each signs its analysts in once the one before
        it has (one sign-in at a time overall), else all processes sign in at once."""
        shares = [len(range(k, self.count, self.wanted)) for k in range(self.wanted)]
        for number, share in enumerate(shares):
            offset = interval * number / self.count  # the team's refreshes spread evenly
            self.processes.append(
                start_group(
                    [sys.executable, "bench/session_clients.py", self.url, "--count", str(share)]
                    + ["--offset", f"{offset:.4f}", *self.options],
                    cwd=ROOT,
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                )
            )
            if one_by_one:
                self._ready(self.processes[-1])
        if not one_by_one:
            for process in self.processes:
                self._ready(process)

    def _ready(self, process: subprocess.Popen) -> None:
        self.sign_in_seconds += self._answer(process)["sign_in_s"]

    def polls(self) -> int:
        for process in self.processes:
            self._ask(process, "count")
        return sum(self._answer(process)["polls"] for process in self.processes)

    def stop(self) -> tuple[int, list[dict[int, float]]]:
        """(polls, what each session saw); the processes have ended. `lost` counts the
        sessions whose connection ended early, `page_runs_asked` the page runs their panels
        asked for."""
        for process in self.processes:
            self._ask(process, "stop")
        runs, seen = 0, []
        for process in self.processes:
            answer = self._answer(process)
            runs += answer["polls"]
            self.page_runs_asked += answer["page_runs_asked"]
            self.lost += answer["lost"]
            seen += [{int(k): v for k, v in shown.items()} for shown in answer["seen"]]
            process.wait(timeout=60)
        return runs, seen

    @staticmethod
    def _ask(process: subprocess.Popen, command: str) -> None:
        assert process.stdin is not None
        process.stdin.write(command + "\n")
        process.stdin.flush()

    @staticmethod
    def _answer(process: subprocess.Popen) -> dict:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"client process {process.pid} ended early ({process.poll()})")
        return json.loads(line)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--count", type=int, required=True, help="analysts of this process")
    parser.add_argument("--email", required=True)
    parser.add_argument("--engagement", required=True)
    parser.add_argument("--page", default="gaps")
    parser.add_argument("--query", default="", help="the page's query string, e.g. flow=<id>")
    parser.add_argument("--tick", type=float, help="s between refreshes (default: the panel's)")
    parser.add_argument("--offset", type=float, default=0, help="s before the first refresh")
    parser.add_argument("--parallel", type=int, default=1, help="sign-ins at once")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
