"""Timing and memory helpers: the median of repeats after a warm-up; peak resident memory."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def median_seconds(run: Callable[[], Any], repeats: int, warmup: int = 1) -> float:
    """Median wall-clock time of ``run()`` over ``repeats`` calls, after ``warmup`` calls."""
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_memory_mb() -> float:
    """Peak resident set size of this process so far, in MB.

    Read from ``VmHWM`` (Linux): unlike ``getrusage``'s ``ru_maxrss``, it starts afresh in a
    new program and does not inherit the peak of the process that started it.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_subprocess(module: str, *args: str) -> dict[str, Any]:
    """Run ``python -m module args`` and return the JSON object it prints last."""
    result = subprocess.run([sys.executable, "-m", module, *args], capture_output=True,
                            text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def paired_seconds(runs: dict[str, Callable[[], Any]], repeats: int,
                   warmup: int = 1) -> dict[str, float]:
    """The median wall-clock time of each ``run()``, the runs alternating (after ``warmup``
    calls of each): each meets the same states of a machine whose speed drifts."""
    for _ in range(warmup):
        for run in runs.values():
            run()
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}
