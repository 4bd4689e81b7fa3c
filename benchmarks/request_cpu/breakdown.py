"""Where the library's microseconds go: the same requests profiled on both sides.

``cProfile`` runs over the same requests on each side; for every function, its own time
(``tottime``) per request on the library side minus that on the plain side. Functions of the
library show up whole; Django's functions show up by what the library makes them do more
(or less) often.

cProfile's own cost lands in the functions it times, most in code making many small calls
(the library's). It is measured first (:func:`calibrate`: an empty function called in a
loop) and taken off every function: per call of it, and per call it makes. What is left is
an estimate: read it as where the time goes and in what proportion, and the unprofiled rounds
as how much it is.

The clock is the wall clock by default: a function that was preempted looks slower (each side
is profiled in ``CHUNKS`` parts and each function's median part counts), and psycopg's
functions around a query (``Connection.wait``) carry the time spent waiting for the server:
those rows are not the client's CPU. The CPU clock (``clock="cpu"``) counts no waiting,
but reading it is a system call per event on a VM, a cost larger than most functions of the
library and only as exact as its calibration.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Row", "by_place", "calibrate", "compare"]

CHUNKS = 5

#: (function, calls per request on the plain side, on the library side,
#:  own µs per request on the plain side, on the library side)
Row = tuple[str, float, float, float, float]


def _profiler(clock: str) -> cProfile.Profile:
    if clock == "cpu":
        return cProfile.Profile(time.thread_time_ns, 1e-9)
    return cProfile.Profile()


def _empty() -> None:
    pass


def _calls_empty(count: int) -> None:
    for _ in range(count):
        _empty()


def _stats(profiler: cProfile.Profile) -> dict[tuple[str, int, str], Any]:
    report: Any = pstats.Stats(profiler)  # its raw table is not in the stubs
    stats: dict[tuple[str, int, str], Any] = report.stats
    return stats


def calibrate(clock: str, count: int = 20_000) -> tuple[float, float]:
    """The profiler's own cost in µs, as it lands in the profile: per call, in the called
    function's own time, and in its caller's own time.

    Found the way ``profile.Profile.calibrate`` finds its bias: a loop calling an empty
    function, profiled, against the same loop unprofiled (the loop's real cost).
    """
    started = time.perf_counter_ns() if clock == "wall" else time.thread_time_ns()
    _calls_empty(count)
    ended = time.perf_counter_ns() if clock == "wall" else time.thread_time_ns()
    real = (ended - started) / 1000 / count
    profiler = _profiler(clock)
    profiler.enable()
    _calls_empty(count)
    profiler.disable()
    own = {name: entry[2] * 1e6 / count for (_, _, name), entry in _stats(profiler).items()}
    in_called = own["_empty"]
    in_caller = max(0.0, own["_calls_empty"] - real)
    return in_called, in_caller


def _profile(
    request: Callable[[str], None],
    hosts: list[str],
    count: int,
    clock: str,
    bias: tuple[float, float],
) -> dict[str, Any]:
    """function -> (calls, own µs) per request: the median over ``CHUNKS`` profiles, each
    function's own time less the profiler's cost (``bias``, see :func:`calibrate`) for its
    calls and its callees' calls."""
    in_called, in_caller = bias
    chunks: list[dict[str, tuple[float, float]]] = []
    size = max(1, count // CHUNKS)
    for _ in range(CHUNKS):
        profiler = _profiler(clock)
        profiler.enable()
        for index in range(size):
            request(hosts[index % len(hosts)])
        profiler.disable()
        stats = _stats(profiler)
        callees: dict[tuple[str, int, str], int] = {}
        for _, (_, _, _, _, callers) in stats.items():
            for caller, (calls, *_) in callers.items():
                callees[caller] = callees.get(caller, 0) + calls
        per_function: dict[str, tuple[float, float]] = {}
        for function, (_, calls, own, _, _) in stats.items():
            key = _label(*function)
            cost = calls * in_called + callees.get(function, 0) * in_caller
            earlier_calls, earlier_own = per_function.get(key, (0.0, 0.0))
            per_function[key] = (
                earlier_calls + calls / size,
                earlier_own + (own * 1e6 - cost) / size,
            )
        chunks.append(per_function)
    names = set().union(*chunks)
    return {
        name: (
            statistics.median(chunk.get(name, (0.0, 0.0))[0] for chunk in chunks),
            statistics.median(chunk.get(name, (0.0, 0.0))[1] for chunk in chunks),
        )
        for name in names
    }


def _label(filename: str, line: int, name: str) -> str:
    if filename == "~":  # a built-in: cProfile names it in full
        return name
    parts = Path(filename).parts
    # From the package directory on: "tenantry_django/postgresql/_cursors.py:101(_execute)".
    for anchor in ("site-packages", "src", "lib"):
        if anchor in parts:
            parts = parts[len(parts) - parts[::-1].index(anchor) :]
            break
    else:  # e.g. this repository's benchmarks: the folder and the file
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line}({name})"


def compare(
    plain: tuple[Any, Callable[[str], None]],
    library: tuple[Any, Callable[[str], None]],
    hosts: list[str],
    count: int,
    clock: str = "wall",
    bias: tuple[float, float] = (0.0, 0.0),
) -> list[Row]:
    """Every function, by how much more own time per request it takes on the library side."""
    measured = []
    for side, request in (plain, library):
        side.activate()
        request(hosts[0])
        measured.append(_profile(request, hosts, count, clock, bias))
    on_plain, on_library = measured
    rows: list[Row] = []
    for name in on_plain.keys() | on_library.keys():
        plain_calls, plain_own = on_plain.get(name, (0.0, 0.0))
        library_calls, library_own = on_library.get(name, (0.0, 0.0))
        rows.append((name, plain_calls, library_calls, plain_own, library_own))
    return sorted(rows, key=lambda row: row[4] - row[3], reverse=True)


def by_place(rows: list[Row], detailed: tuple[str, ...]) -> dict[str, float]:
    """Where the extra own µs per request are: by module (or subpackage) within the
    ``detailed`` packages, by top-level package elsewhere ("built-ins" for C functions)."""
    totals: dict[str, float] = {}
    for name, _, _, plain_own, library_own in rows:
        path = name.split(":", 1)[0].split("/") if "/" in name else ["built-ins"]
        place = "/".join(path[:2]) if path[0] in detailed else path[0]
        totals[place] = totals.get(place, 0.0) + library_own - plain_own
    return dict(sorted(totals.items(), key=lambda item: item[1], reverse=True))
