"""Where the library's microseconds go: the same requests profiled on both sides.

``cProfile`` runs over the same requests on each side; for every function, its own time
(``tottime``) per request on the library side minus that on the plain side. The profile's
clock is the wall clock by default: a function that was preempted looks slower (each side is
profiled in ``CHUNKS`` parts and each function's median part counts), and psycopg's functions
around a query can carry time spent waiting for the server (seen: ``_execute_send``). The
CPU clock (``clock="cpu"``) counts no waiting, but reading it is a system call per event,
which inflates every function by about its number of calls times a few microseconds.
Functions of the library show up whole; Django's functions show up by what the library makes
them do more (or less) often. cProfile adds a cost to every call it sees, so the numbers are
inflated for code that makes many small calls: read them as where the time goes and in what
proportion, and the unprofiled rounds as how much it is.
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["Row", "by_package", "compare"]

CHUNKS = 5

#: (function, calls per request on the plain side, on the library side,
#:  own µs per request on the plain side, on the library side)
Row = tuple[str, float, float, float, float]


def _profile(
    request: Callable[[str], None], hosts: list[str], count: int, clock: str
) -> dict[str, Any]:
    """function -> (calls, own µs) per request: the median over ``CHUNKS`` profiles."""
    chunks: list[dict[str, tuple[float, float]]] = []
    size = max(1, count // CHUNKS)
    for _ in range(CHUNKS):
        profiler = (
            cProfile.Profile(time.thread_time_ns, 1e-9) if clock == "cpu" else cProfile.Profile()
        )
        profiler.enable()
        for index in range(size):
            request(hosts[index % len(hosts)])
        profiler.disable()
        report: Any = pstats.Stats(profiler)  # its raw table is not in the stubs
        stats = report.stats
        per_function: dict[str, tuple[float, float]] = {}
        for (filename, line, name), (_, calls, own, _, _) in stats.items():
            key = _label(filename, line, name)
            earlier_calls, earlier_own = per_function.get(key, (0.0, 0.0))
            per_function[key] = (earlier_calls + calls / size, earlier_own + own * 1e6 / size)
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
) -> list[Row]:
    """Every function, by how much more own time per request it takes on the library side."""
    measured = []
    for side, request in (plain, library):
        side.activate()
        request(hosts[0])
        measured.append(_profile(request, hosts, count, clock))
    on_plain, on_library = measured
    rows: list[Row] = []
    for name in on_plain.keys() | on_library.keys():
        plain_calls, plain_own = on_plain.get(name, (0.0, 0.0))
        library_calls, library_own = on_library.get(name, (0.0, 0.0))
        rows.append((name, plain_calls, library_calls, plain_own, library_own))
    return sorted(rows, key=lambda row: row[4] - row[3], reverse=True)


def by_package(rows: list[Row]) -> dict[str, float]:
    """Top-level package (or "built-ins") -> own µs per request more with the library."""
    totals: dict[str, float] = {}
    for name, _, _, plain_own, library_own in rows:
        package = name.split("/", 1)[0] if "/" in name else "built-ins"
        totals[package] = totals.get(package, 0.0) + library_own - plain_own
    return dict(sorted(totals.items(), key=lambda item: item[1], reverse=True))
