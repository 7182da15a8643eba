"""What bench/sessions.py measures over its window: the web group's CPU and RSS from /proc,
refreshes, and the time from a progress write to the number on screen."""

import contextlib
import threading
import time
from collections.abc import Iterator

from tests.dashboard.procfile import JobKeyWriter, group_cpu_seconds, group_rss_bytes


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 3)


class ProgressWriter(JobKeyWriter):
    """Writes the job's progress as a worker does, one gap more every `period` seconds."""

    def run(self, stop: threading.Event, period: float) -> None:
        while not stop.wait(period):
            self.processed += 1
            self.write()

    @contextlib.contextmanager
    def kept_live(self, period: float) -> Iterator[None]:
        """The job's heartbeat written (no progress) while a team signs in, as a worker's
        would be: otherwise the job looks stalled and the panels open at their slowest."""
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(period):
                self.write()

        thread = threading.Thread(target=beat, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def latencies(writer: ProgressWriter, seen: list[dict[int, float]], after: float) -> dict:
    """Write -> on screen, for every number written in the window that a session showed."""
    delays, missed = [], 0
    for processed, written in writer.written.items():
        if written < after:
            continue
        for shown in seen:
            if processed in shown:
                delays.append(max(0.0, shown[processed] - written))
            else:
                missed += 1
    return {
        "p50_s": percentile(delays, 0.5),
        "p95_s": percentile(delays, 0.95),
        "shown": len(delays),
        "not_shown": missed,
    }


def measure(stack, writer, window, period, count_refreshes, seen, wait=time.sleep) -> dict:
    """The web group's CPU, RSS and refreshes over `window` seconds of writes; `wait` lets
    the caller's event loop run meanwhile (Playwright's sync API handles events only so)."""
    web = stack.webs[0].pid
    stop = threading.Event()
    thread = threading.Thread(target=writer.run, args=(stop, period), daemon=True)
    refreshes_before, cpu_before, rss_before = count_refreshes(), group_cpu_seconds(web), None
    rss_before, started = group_rss_bytes(web), time.time()
    thread.start()
    rss_samples = [rss_before]
    while time.time() - started < window:
        wait(min(5.0, window / 4))
        rss_samples.append(group_rss_bytes(web))
    stop.set()
    thread.join()
    elapsed = time.time() - started
    cpu = group_cpu_seconds(web) - cpu_before
    refreshes = count_refreshes() - refreshes_before
    wait(period)  # the last writes reach the screens
    return {
        "window_s": round(elapsed, 1),
        "web_cpu_s": round(cpu, 2),
        "web_cpu_share_of_core": round(cpu / elapsed, 3),
        "refreshes": refreshes,
        "cpu_ms_per_refresh": round(1000 * cpu / refreshes, 2) if refreshes else None,
        "web_rss_mb": {
            "start": rss_before >> 20,
            "end": rss_samples[-1] >> 20,
            "max": max(rss_samples) >> 20,
            # One sample a minute (the first and every twelfth), to see a trend in long runs.
            "per_minute": [sample >> 20 for sample in rss_samples[::12]],
        },
        "progress_write_to_screen": latencies(writer, seen(), started),
    }


def with_rate(result: dict, analysts: int, interval: float) -> dict:
    per_refresh = result["cpu_ms_per_refresh"]
    result["analysts"] = analysts
    if per_refresh:
        # One analyst costs per_refresh ms every `interval` s of a core's 1000 ms per s.
        result["analysts_per_core"] = int(1000 * interval / per_refresh)
    return result
