"""The bench scripts' shared timing: wall median and p95, and process CPU time."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

Figures = tuple[float, float, float]  # wall median, wall p95, process CPU median (ms)


def stats(wall: list[float], cpu: list[float]) -> Figures:
    """(median, p95) of wall time and the median process CPU time, in milliseconds.

    CPU time is what the work costs when it has a core to itself: on a machine shared
    with other jobs the wall time grows, the CPU time of a single-threaded run does not.
    """
    ms = sorted(s * 1000.0 for s in wall)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return statistics.median(ms), p95, statistics.median(c * 1000.0 for c in cpu)


def time_calls(fn: Callable[[], object], runs: int, warmup: int = 3) -> Figures:
    """Call ``fn`` ``warmup`` times untimed, then ``runs`` times timed: see :func:`stats`."""
    for _ in range(warmup):
        fn()
    wall, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return stats(wall, cpu)
