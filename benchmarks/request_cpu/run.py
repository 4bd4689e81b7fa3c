"""The library's own client CPU per request: A/B against plain Django in the same process.

    hatch run bench:request-cpu [--rounds R] [--size N] [--count C] [--profile P]
                                [--profile-clock wall|cpu]
                                [--steps] [--instructions N]
                                [--only LIBRARY ...] [--baseline DIR]

Throughput ratios between processes cannot resolve a cost of a few microseconds on a request
of several hundred (one process is a few percent faster than another for its whole life, and
a busy VM's steal time swings single runs by 15%). So each library is measured against plain
Django inside one process, on one thread's CPU clock:

- **Two sides, one process.** The process is the ``request_overhead`` project of the library
  (the one-query view, 20 tenants). Plain Django is the same process with the library's
  middleware, routers, database backend and patches of Django's classes switched off, the
  stock backend's search path fixed to one tenant's schema (:mod:`.sides`). Before measuring,
  the run proves that a plain request calls no Python function of the library (nor pluggy).
- **CPU time, short interleaved rounds.** Rounds of N requests (``--size``, default 20, one
  pass over the 20 hosts), alternately ``A B B A`` and ``B A A B``, ``--rounds`` per side
  and scenario; each round's cost is the thread's CPU time (``time.thread_time_ns``: the
  client's user and system time, not the server's, not the waits) per request (:mod:`.rounds`).
  Before the rounds, the set-up's objects are frozen out of the garbage collector's way
  (``gc.freeze()``); collections of the requests' own garbage count where they happen.
- **The report.** Per side: CPU µs per request at the minimum, p10 and median round, and the
  spread (p90 - p10) over rounds. The library's own cost is the difference: of the minima, of
  the p10s, and the median (with its 95% confidence interval and p25..p75) of the paired
  differences, one per block. Next to
  it the throughput ratio (median wall time per request, plain / library: the server's time
  included), the statements per request the server ran (``pg_stat_statements``) and the round
  trips (libpq's protocol trace, psycopg 3 only) (:mod:`.counting`).
- ``--steps`` (tenantry) puts sides between the two that add tenantry's parts one at a time:
  its ORM patches, then its middleware, its router, its backend. Each part's cost is what its
  side adds to the one before, paired block by block; the parts sum to the whole. A part's
  cost is what it adds on top of the parts before it (the ORM patches do little with no
  tenant active, more once the middleware activates one, which the middleware's step shows).
- ``--profile P`` profiles P more requests per side and scenario with cProfile and lists the
  functions by how much more of their own time they take per request with the library
  (:mod:`.breakdown`): where the microseconds go, inflated by the profiler.
- ``--instructions N`` counts, under valgrind, the client instructions per request of every
  side over N requests per scenario (:mod:`.instructions`): the same comparison without the
  machine's noise, part by part with ``--steps``; needs valgrind. tenantry's run counts the
  skeleton as well (:mod:`.skeleton`): the least a library on Django's hooks runs, a floor.

"one tenant" sends every request to one host; "rotating 20" cycles over 20 hosts (the plain
side reads the one schema for every host). Libraries run one after another, each in its own
process and database on one embedded PostgreSQL; the process is pinned to one CPU and its
server sessions to another. ``--only`` adds the peers (django-tenants, django-pgschemas),
each against plain Django in its own process the same way. ``--baseline DIR`` runs tenantry
from another checkout (a ``git worktree`` of an older commit) as well: before and after.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from postgres_harness import start_embedded_server

from benchmarks.environment import BASELINE, baseline_environment, describe
from benchmarks.request_cpu.instructions import count_sides, print_counts
from benchmarks.request_cpu.skeleton import SKELETON

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ["tenantry", "django-tenants", "django-pgschemas"]
SCENARIOS = {"one": "one tenant", "rotating": "rotating 20"}


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=400, help="rounds per side and scenario")
    parser.add_argument("--size", type=int, default=20, help="requests per round")
    parser.add_argument(
        "--count", type=int, default=1000, help="requests over which statements are counted"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="P", help="profile P requests per side"
    )
    parser.add_argument(
        "--profile-clock",
        choices=["wall", "cpu"],
        default="wall",
        help="the profile's clock (see benchmarks/request_cpu/breakdown.py for what each skews)",
    )
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="also count each side's instructions per request under valgrind over N requests "
        "per scenario (deterministic: see benchmarks/request_cpu/instructions.py)",
    )
    parser.add_argument("--only", nargs="+", choices=LIBRARIES, default=["tenantry"])
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help=f"also run tenantry from the checkout DIR (a git worktree), as {BASELINE!r}: "
        "before and after in one run, each against plain Django in its own process",
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="tenantry only: also time sides adding its parts one at a time (ORM patches, "
        "middleware, router, backend), each against the one before",
    )
    return parser.parse_args()


def _measure(server: Any, label: str, options: argparse.Namespace) -> dict[str, Any]:
    slug = "".join(c if c.isalnum() else "_" for c in label.lower())
    database = f"bench_cpu_{slug}"
    server.create_database(database)
    environment = {
        **os.environ,
        "TENANTRY_BENCH_DATABASE_URL": server.url(database),
        "TENANTRY_BENCH_MONITOR_URL": server.url(),
        "TENANTRY_BENCH_LABEL": label,
    }
    library = label
    if label == BASELINE:
        environment = baseline_environment(options.baseline, environment)
        library = "tenantry"
    arguments = [
        library,
        options.rounds,
        options.size,
        options.count,
        options.profile,
        int(options.steps and library == "tenantry"),
        options.profile_clock,
    ]
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.request_cpu.worker", *map(str, arguments)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("result "):
            result: dict[str, Any] = json.loads(line.removeprefix("result "))
            break
    else:
        raise SystemExit(f"{label}: the worker stopped (exit {completed.returncode})")
    if options.instructions:  # on the database the timed worker set up
        steps = bool(options.steps and library == "tenantry")
        # tenantry's own run counts the skeleton too: the floor under any library on
        # Django's hooks (benchmarks/request_cpu/skeleton.py)
        extra = [SKELETON] if label == "tenantry" else []
        result["instructions"] = count_sides(
            library, steps, [*result["sides"], *extra], options.instructions, environment
        )
    return result


def _count(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _print_library(result: dict[str, Any]) -> None:
    library, sides = result["library"], result["sides"]
    print()
    print(
        f"{library}: switched off on the plain side: middleware, routers, backend, "
        f"{len(result['patched'])} patched attributes of Django's classes"
    )
    owners: dict[str, list[str]] = {}
    for dotted in result["patched"]:
        owner, attribute = dotted.rsplit(".", 1)
        owners.setdefault(owner, []).append(attribute)
    for owner, attributes in owners.items():
        print(f"  {owner}: {', '.join(attributes)}")
    print(
        f"{'scenario':<12} {'side':<20} {'min':>7} {'p10':>7} {'median':>7} {'p90-p10':>8} "
        f"{'req/s':>6} {'stmts/req':>10} {'trips/req':>10}"
    )
    for scenario, label in SCENARIOS.items():
        for side in sides:
            cpu, wall = (result["rounds"][f"{side}|{scenario}"][k] for k in ("cpu", "wall"))
            counts = result["counts"].get(side, {}).get(scenario)
            counted = (
                f"{_count(counts['statements']):>10} {_count(counts['round_trips']):>10}"
                if counts
                else ""
            )
            print(
                f"{label:<12} {side:<20} {cpu['min']:>7.1f} {cpu['p10']:>7.1f} "
                f"{cpu['median']:>7.1f} {cpu['p90'] - cpu['p10']:>8.1f} "
                f"{1e6 / wall['median']:>6.0f} {counted}"
            )
        first, last = (result["rounds"][f"{side}|{scenario}"] for side in (sides[0], sides[-1]))
        paired = result["differences"][scenario]
        print(
            f"{label:<12} {'difference':<20} {last['cpu']['min'] - first['cpu']['min']:>7.1f} "
            f"{last['cpu']['p10'] - first['cpu']['p10']:>7.1f} {paired['median']:>7.1f} "
            f"{'':>8} {first['wall']['median'] / last['wall']['median']:>6.2f}x "
            f"(paired: 95% CI {paired['ci_low']:.1f}..{paired['ci_high']:.1f}, "
            f"p25..p75 {paired['p25']:.1f}..{paired['p75']:.1f}; x: req/s ratio)"
        )
    if len(sides) > 2:
        _print_steps(result)


def _print_steps(result: dict[str, Any]) -> None:
    print()
    print(
        f"{result['library']} part by part: CPU µs per request each side adds to the one "
        "before (median of paired block differences, its 95% CI, p25..p75; difference of p10s)"
    )
    print(
        f"{'scenario':<12} {'part':<20} {'median':>7} {'95% CI':>14} {'p25..p75':>14} {'p10s':>7}"
    )
    sides = result["sides"]
    for scenario, label in SCENARIOS.items():
        for before, side in itertools.pairwise(sides):
            step = result["steps"][f"{side}|{scenario}"]
            p10s = [result["rounds"][f"{name}|{scenario}"]["cpu"]["p10"] for name in (side, before)]
            spread = f"{step['p25']:.1f}..{step['p75']:.1f}"
            interval = f"{step['ci_low']:.1f}..{step['ci_high']:.1f}"
            part = "+ backend" if side == sides[-1] else side
            print(
                f"{label:<12} {part:<20} {step['median']:>7.1f} {interval:>14} {spread:>14} "
                f"{p10s[0] - p10s[1]:>7.1f}"
            )


def _print_profile(result: dict[str, Any]) -> None:
    for scenario, rows in result["profile"].items():
        print()
        print(
            f"{result['library']}, {SCENARIOS[scenario]}, profiled ({result['clock']} clock, "
            "less the profiler's measured cost): own µs/request and calls/request, "
            "plain Django -> library"
        )
        totals = ", ".join(
            f"{place} {extra:+.1f}" for place, extra in result["packages"][scenario].items()
        )
        own = result["library_code"][scenario]
        calls = result["library_calls"][scenario]
        print(
            f"the library's own functions: {calls:.0f} calls, {own:.1f} µs per request "
            f"(profiled; the profiler's cost taken off: {result['bias'][0]:.3f} µs per call in "
            f"the function called, {result['bias'][1]:.3f} in its caller)"
        )
        print(f"where, µs more with the library: {totals}")
        print(f"{'+µs':>6} {'plain µs':>9} {'lib µs':>7} {'calls':>13}  function")
        for name, plain_calls, library_calls, plain_own, library_own in rows:
            calls = f"{plain_calls:.1f}->{library_calls:.1f}"
            print(
                f"{library_own - plain_own:>6.2f} {plain_own:>9.2f} {library_own:>7.2f} "
                f"{calls:>13}  {name}"
            )


def main() -> None:
    options = _options()
    server = start_embedded_server()
    try:
        with server.connect() as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            row = admin.execute("SHOW server_version").fetchone()
        labels = [*options.only, *([BASELINE] if options.baseline is not None else [])]
        results = [_measure(server, label, options) for label in labels]
    finally:
        server.stop()
    print(describe(row[0] if row else None))
    print(
        f"client CPU µs per request (this thread's CPU clock), {options.rounds} rounds of "
        f"{options.size} requests per side and scenario, interleaved ABBA/BAAB in one process; "
        "difference = library - plain Django (of the minima, of the p10s, median of the "
        f"paired block differences); req/s from the median round's wall time, ratio "
        f"plain/library; statements (pg_stat_statements) and round trips (libpq trace) over "
        f"{options.count} requests"
    )
    for result in results:
        _print_library(result)
    for result in results:
        print_counts(result, options.instructions, SCENARIOS)
    for result in results:
        _print_profile(result)


if __name__ == "__main__":
    main()
