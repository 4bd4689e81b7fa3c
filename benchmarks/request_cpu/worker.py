"""One library's project in one process: its full stack and plain Django, A/B, measured.

    python -m benchmarks.request_cpu.worker LIBRARY ROUNDS SIZE COUNT PROFILE STEPS CLOCK

(run.py starts it; the environment names the database.) Sets up the request benchmark's
project for LIBRARY (``benchmarks.request_overhead``: 20 tenants, one note each, the one-query
view), builds the two sides (:mod:`.sides`), proves the plain side runs none of the library's
code, warms both up, counts statements and round trips, times ROUNDS interleaved rounds of
SIZE requests per side and scenario, profiles PROFILE requests per side when PROFILE > 0, and
prints one line ``result <json>``. STEPS = 1 adds sides between plain Django and tenantry,
one part of tenantry more each (``STEPS``), to time each part on its own.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from typing import Any

from benchmarks import driver
from benchmarks.request_cpu.breakdown import by_place, calibrate, compare
from benchmarks.request_cpu.counting import round_trips, statements_per_request
from benchmarks.request_cpu.rounds import interleave, summary
from benchmarks.request_cpu.sides import (
    FULL,
    PLAIN,
    Parts,
    Patches,
    Side,
    build_side,
    library_frames,
    settle_receivers,
    stock_connection,
)
from benchmarks.request_overhead.projects import set_up
from benchmarks.request_overhead.worker import SETTINGS, track

#: The packages whose code is the library's (its plugin machinery included).
PACKAGES = {
    "tenantry": ["tenantry", "tenantry_django", "pluggy"],
    "django-tenants": ["django_tenants"],
    "django-pgschemas": ["django_pgschemas"],
}
SCHEMA = "tenant0"  # the plain side's tables: this tenant's
WARM_UP = 300
PROFILED_ROWS = 25
#: ``--steps``: tenantry's parts added one at a time, each side one more than the one before.
STEPS = [
    ("plain Django", PLAIN),
    ("+ ORM patches", Parts(patches=True)),
    ("+ middleware", Parts(patches=True, middleware=True)),
    ("+ router", Parts(patches=True, middleware=True, routers=True)),
    ("tenantry", FULL),  # named as the run names it
]


def _owner_name(owner: Any) -> str:
    return owner.__name__ if isinstance(owner, type(sys)) else owner.__qualname__


def _serve(client: Any, hosts: list[str], count: int) -> None:
    for index in range(count):
        client(hosts[index % len(hosts)])


def _check_sides(library: str, plain: Side, clients: dict[str, Any], hosts: list[str]) -> None:
    """Stop unless the plain side calls no Python function of the library."""
    plain.activate()
    leaked = library_frames(PACKAGES[library], lambda: _serve(clients[plain.name], hosts, 40))
    if leaked:
        raise SystemExit(f"plain Django still runs {library} code: {', '.join(leaked)}")


def _pin(connections: list[Any]) -> None:
    """This process on one CPU, every side's server session on another (best effort): the
    same for both sides (``request_overhead.worker.pin`` pins one session, and once this
    process is pinned it sees one CPU, so a second call would leave the other side's session
    free to run anywhere: a different server speed, different waits)."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return
    try:
        for connection in connections:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                (backend,) = cursor.fetchone()
            os.sched_setaffinity(backend, {cpus[1]})
        os.sched_setaffinity(0, {cpus[0]})
    except OSError:  # not permitted (PostgreSQL runs as another user): leave it to the OS
        pass


def _counts(
    sides: list[Side], clients: dict[str, Any], scenarios: dict[str, list[str]], count: int
) -> dict[str, dict[str, dict[str, float | None]]]:
    monitor = driver.connect(os.environ["TENANTRY_BENCH_MONITOR_URL"])
    counted: dict[str, dict[str, dict[str, float | None]]] = {}
    try:
        for side in sides:
            side.activate()
            for scenario, hosts in scenarios.items():
                client = clients[side.name]
                _serve(client, hosts, len(hosts))  # as between timed rounds: caches warm
                counted.setdefault(side.name, {})[scenario] = {
                    "statements": statements_per_request(
                        side.connection, monitor, client, hosts, count
                    ),
                    "round_trips": round_trips(side.connection, client, hosts, count),
                }
    finally:
        monitor.close()
    return counted


def _sides(library: str, patches: Patches, expected: dict[str, str], steps: bool) -> list[Side]:
    """Plain Django first and the library's full stack last; with ``steps``, tenantry's
    parts added one at a time in between."""
    stock = stock_connection(SCHEMA)
    plain_pages = dict.fromkeys(expected, expected[f"{SCHEMA}.bench"])
    label = os.environ.get("TENANTRY_BENCH_LABEL", library)  # "tenantry @ baseline"
    chain = [*STEPS[:-1], (label, FULL)] if steps else [("plain Django", PLAIN), (label, FULL)]
    sides = [
        build_side(name, parts, patches, stock, expected if parts.backend else plain_pages)
        for name, parts in chain
    ]
    settle_receivers(sides, PACKAGES[library])
    return sides


def main() -> None:
    library, *numbers = sys.argv[1:]
    *integers, clock = numbers
    rounds, size, count, profiled, steps = map(int, integers)
    if steps and library != "tenantry":  # run.py asks for tenantry's only
        raise SystemExit(f"steps: tenantry's parts only, not {library}'s")
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[library]
    patches = Patches.record()  # Django's classes as Django ships them, before any app loads
    import django

    django.setup()
    expected = set_up(library)
    hosts = sorted(expected)
    patched = [f"{_owner_name(o)}.{n}" for o, n, _, _ in patches.changed()]
    sides = _sides(library, patches, expected, bool(steps))
    plain, mine = sides[0], sides[-1]
    clients = {side.name: side.client() for side in sides}
    scenarios = {"one": [f"{SCHEMA}.bench"], "rotating": hosts}
    for side in sides:
        side.activate()
        track(side.connection, "none")  # pg_stat_statements only while counting
        for scenario_hosts in scenarios.values():
            _serve(clients[side.name], scenario_hosts, WARM_UP)
    _check_sides(library, plain, clients, hosts)
    # What the set-up left (20 tenants made through the ORM) out of the collector's way, so
    # that a collection costs what the requests' own garbage costs, on either side.
    gc.collect()
    gc.freeze()
    _pin([plain.connection, mine.connection])
    counted = _counts([plain, mine], clients, scenarios, count)
    print(f"{library}: {len(sides)} sides ready, {rounds} rounds each", file=sys.stderr)
    samples, differences = interleave(
        [(side, clients[side.name]) for side in sides], scenarios, rounds, size
    )
    # The whole library: the sum of the steps, block by block.
    whole = {
        scenario: [
            sum(block)
            for block in zip(*(differences[(s.name, scenario)] for s in sides[1:]), strict=True)
        ]
        for scenario in scenarios
    }
    profile: dict[str, list[Any]] = {}
    packages: dict[str, dict[str, float]] = {}
    library_code: dict[str, float] = {}
    library_calls: dict[str, float] = {}
    bias = calibrate(clock) if profiled else (0.0, 0.0)
    if profiled:
        for scenario, scenario_hosts in scenarios.items():
            rows = compare(
                (plain, clients[plain.name]),
                (mine, clients[mine.name]),
                scenario_hosts,
                profiled,
                clock,
                bias,
            )
            profile[scenario] = rows[:PROFILED_ROWS]
            packages[scenario] = by_place(rows, tuple(PACKAGES[library]))
            library_calls[scenario] = sum(
                row[2] for row in rows if row[0].split("/")[0] in PACKAGES[library]
            )
            library_code[scenario] = sum(
                extra
                for place, extra in packages[scenario].items()
                if place.split("/")[0] in PACKAGES[library]
            )
    result = {
        "library": mine.name,
        "sides": [side.name for side in sides],
        "patched": patched,
        "rounds": {
            f"{side}|{scenario}": {"cpu": summary(entry.cpu), "wall": summary(entry.wall)}
            for (side, scenario), entry in samples.items()
        },
        "steps": {
            f"{side}|{scenario}": summary(values)
            for (side, scenario), values in differences.items()
        },
        "differences": {scenario: summary(values) for scenario, values in whole.items()},
        "counts": counted,
        "profile": profile,
        "packages": packages,
        "library_code": library_code,
        "library_calls": library_calls,
        "clock": clock,
        "bias": bias,
    }
    print("result", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
