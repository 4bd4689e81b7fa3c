"""Interleaved short rounds of requests, timed by this thread's CPU clock.

Each round serves ``size`` requests on one side and records the thread's CPU time per request
(``time.thread_time_ns``: user and system time of this thread only; time spent waiting for the
server is not in it, the server's own work is not in it) and the wall time. Rounds come in
blocks ``A B B A`` and ``B A A B`` alternately (with more sides, ``A B C C B A`` and
``C B A A B C``), so drift (frequency scaling, a neighbour on the machine) hits every side
alike and each block gives one paired difference between neighbouring sides. Right after a side
is switched on, one request is served untimed.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Samples", "interleave", "summary"]


@dataclass
class Samples:
    """Per round: CPU µs per request and wall µs per request."""

    cpu: list[float] = field(default_factory=list)
    wall: list[float] = field(default_factory=list)


def _round(request: Callable[[str], None], hosts: list[str], size: int) -> tuple[float, float]:
    request(hosts[0])  # untimed: the first after a switch
    count = len(hosts)
    cpu_started = time.thread_time_ns()
    wall_started = time.perf_counter_ns()
    for index in range(size):
        request(hosts[index % count])
    wall = time.perf_counter_ns() - wall_started
    cpu = time.thread_time_ns() - cpu_started
    return cpu / size / 1000, wall / size / 1000


def interleave(
    sides: list[tuple[Any, Callable[[str], None]]],
    scenarios: dict[str, list[str]],
    rounds: int,
    size: int,
) -> tuple[dict[tuple[str, str], Samples], dict[tuple[str, str], list[float]]]:
    """(side, scenario) -> samples, and (side, scenario) -> that side's paired differences
    from the side before it in ``sides`` (µs of CPU per request, one per block).

    ``sides`` are (side, its client); a side has ``name`` and ``activate()``. A block runs
    every side twice, in order and back (``A B B A``; with more sides ``A B C C B A``), the
    next block the other way round.
    """
    forward = list(range(len(sides)))
    samples: dict[tuple[str, str], Samples] = {}
    steps: dict[tuple[str, str], list[float]] = {}
    for block in range(max(1, rounds // 2)):
        there = forward if block % 2 == 0 else forward[::-1]
        order = there + there[::-1]
        for scenario, hosts in scenarios.items():
            block_cpu: list[list[float]] = [[] for _ in sides]
            for position in order:
                side, client = sides[position]
                side.activate()
                cpu, wall = _round(client, hosts, size)
                block_cpu[position].append(cpu)
                entry = samples.setdefault((side.name, scenario), Samples())
                entry.cpu.append(cpu)
                entry.wall.append(wall)
            means = [statistics.fmean(values) for values in block_cpu]
            for position in forward[1:]:
                key = (sides[position][0].name, scenario)
                steps.setdefault(key, []).append(means[position] - means[position - 1])
    return samples, steps


def _median_interval(values: list[float]) -> tuple[float, float]:
    """A 95% confidence interval of the median: the order statistics n/2 -+ 0.98 sqrt(n)
    (distribution-free; the sample sorted)."""
    ordered = sorted(values)
    count = len(ordered)
    half_width = 0.98 * math.sqrt(count)
    low = max(0, math.floor(count / 2 - half_width))
    high = min(count - 1, math.ceil(count / 2 + half_width) - 1)
    return ordered[low], ordered[high]


def summary(values: list[float]) -> dict[str, float]:
    """min, p10, p25, median, p75, p90 of ``values``, and the median's 95% interval."""
    if len(values) < 2:
        value = values[0]
        names = ("min", "p10", "p25", "median", "p75", "p90", "ci_low", "ci_high")
        return dict.fromkeys(names, value)
    deciles = statistics.quantiles(values, n=20, method="inclusive")
    ci_low, ci_high = _median_interval(values)
    return {
        "min": min(values),
        "p10": deciles[1],
        "p25": deciles[4],
        "median": statistics.median(values),
        "p75": deciles[14],
        "p90": deciles[17],
        "ci_low": ci_low,
        "ci_high": ci_high,
    }
