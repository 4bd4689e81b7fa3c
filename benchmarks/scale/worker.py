"""One step of the scale benchmark, in a process of its own (peak RSS is per step).

    python -m benchmarks.scale.worker PROJECT STEP SCHEMAS SAMPLE

PROJECT is ``tenantry`` or ``plain Django``; environment as for migrate-fleet
(TENANTRY_BENCH_DATABASE_URL, TENANTRY_BENCH_WORKERS, TENANTRY_BENCH_ADDED_FIELD).
Steps: ``setup`` (the fleet, untimed; ``light setup``: each schema only holds the view's
table), ``fresh`` (migrate the SAMPLE empty schemas among the
N), ``no-op`` and ``added field`` (migrate -s :dynamic:), ``select`` (runschema's selection
of :all:), ``whowill`` and ``migrationstatus`` over :dynamic:, ``create`` (new tenants
through save() while N exist), ``requests`` (in-process WSGI, rotating over the N hosts).
Each timed step prints one JSON line: seconds, how many units they cover, peak RSS and the
step's own figures.
"""

from __future__ import annotations

import io
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.driver import connect, quote_identifier
from benchmarks.migrate_fleet.verify import verify
from benchmarks.migrate_fleet.worker import (
    ADDED_FIELD,
    MIGRATIONS,
    inventory_tables,
    peak_rss_mib,
    schema_names,
)
from benchmarks.scale.fleet import build, build_light, host_of, own_category

SETTINGS = {
    "tenantry": "benchmarks.scale.settings_tenantry",
    "plain Django": "benchmarks.scale.settings_plain",
}
REQUESTS = 5_000  # timed requests per scale (whole passes over the N hosts, at least one)
CREATIONS = 7  # tenants created through save() per scale
FRESH_ROUNDS = 3  # times the fresh migrate runs on the sample (the best counts)


def _migrate(selectors: list[str]) -> None:
    from django.core.management import call_command

    call_command("migrate", schemas=selectors, executor="parallel", interactive=False, verbosity=0)


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _command_rss() -> dict[str, float]:
    """Peak RSS so far: taken before a step's verification, whose own reading of every
    schema (all tables of N schemas in one result) is no cost of the command measured."""
    own, children = peak_rss_mib()
    return {"rss_mib": own, "child_rss_mib": children}


def _empty_again(url: str, sample: list[str]) -> None:
    """The sample's schemas empty again, as the setup left them (untimed): between rounds."""
    from django.db import connections

    connections.close_all()  # no session keeps what it knew of the dropped schemas
    with connect(url) as connection:
        connection.execute(
            "\n".join(
                f"DROP SCHEMA {quote_identifier(s)} CASCADE; CREATE SCHEMA {quote_identifier(s)};"
                for s in sample
            )
        )


def step_fresh(url: str, schemas: list[str], sample: list[str]) -> dict[str, Any]:
    """The sample migrated FRESH_ROUNDS times, emptied again in between: the best round
    counts (one round of a few seconds is at the mercy of this VM, which doubles one now and
    then; every round does the same work, its recipe captured again by the command)."""
    rounds = []
    for index in range(FRESH_ROUNDS):
        if index:
            _empty_again(url, sample)
        rounds.append(_timed(lambda: _migrate(sample)))
    rss = _command_rss()
    verify(url, schemas, inventory_tables(), MIGRATIONS, added=False)  # the copies too
    with connect(url) as connection:  # each schema's own category, for the requests (untimed)
        connection.execute("\n".join(own_category(schema) for schema in sample))
    return {"seconds": min(rounds), "rounds": rounds, "count": len(sample), **rss}


def step_migrate_all(url: str, schemas: list[str], added: bool) -> dict[str, Any]:
    seconds = _timed(lambda: _migrate([":dynamic:"]))
    rss = _command_rss()
    if added:
        verify(url, schemas, inventory_tables(), MIGRATIONS + 1, added=True)
    return {"seconds": seconds, "count": len(schemas), **rss}


class _Sampled(io.TextIOBase):
    """A command's output, read as it is written: which sampled names it mentions (keeping
    10,000 lines of it in a StringIO would count toward the command's peak memory)."""

    def __init__(self, wanted: list[str]) -> None:
        self.missing = set(wanted)

    def write(self, text: str) -> int:
        if self.missing:
            self.missing -= {name for name in self.missing if name in text}
        return len(text)


def step_command(name: str, schemas: list[str]) -> dict[str, Any]:
    from django.core.management import call_command

    out = _Sampled(schemas[:: max(1, len(schemas) // 50)])
    seconds = _timed(
        lambda: call_command(name, schemas=[":dynamic:"], stdout=out, stderr=io.StringIO())
    )
    if out.missing:
        raise SystemExit(f"{name} did not list {sorted(out.missing)[:5]}")
    return {"seconds": seconds, "count": len(schemas)}


def step_select(schemas: list[str]) -> dict[str, Any]:
    """What runschema -s :all: resolves before running anything: the catalog's entries."""
    import tenantry

    selected: list[Any] = []
    seconds = _timed(lambda: selected.extend(tenantry.select_tenants([":all:"])))
    if len(selected) < len(schemas):
        raise SystemExit(f":all: selected {len(selected)} tenants, not {len(schemas)}+")
    return {"seconds": seconds, "count": len(schemas)}


def _check_created(url: str, names: list[str]) -> None:
    """Every new schema holds every inventory table and the 20 migrations' records."""
    tables = len(inventory_tables())
    with connect(url) as connection:
        for name in names:
            row = connection.execute(
                "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = %s AND "
                "tablename = ANY(%s)), "
                f"(SELECT count(*) FROM {quote_identifier(name)}.django_migrations "
                "WHERE app = 'inventory')",
                [name, sorted(inventory_tables())],
            ).fetchone()
            if row != (tables, MIGRATIONS):
                expected = (tables, MIGRATIONS)
                raise SystemExit(f"{name}: (tables, migrations) = {row}, not {expected}")


def step_create(url: str) -> dict[str, Any]:
    from sandbox.customers.models import Tenant

    names = [f"new{index}" for index in range(CREATIONS)]
    times = []
    for name in names:
        tenant = Tenant(schema_name=name)
        times.append(_timed(tenant.save))
    _check_created(url, names)
    # Gone again (untimed), so the later steps see N tenants.
    Tenant.objects.filter(schema_name__in=names).delete()
    with connect(url) as connection:
        connection.execute(
            "\n".join(f"DROP SCHEMA IF EXISTS {quote_identifier(n)} CASCADE;" for n in names)
        )
    # The first creation in a process pays for imports and the recipe: the median of the rest.
    return {
        "seconds": statistics.median(times[1:]),
        "count": 1,
        "first_ms": times[0] * 1000,
        "max_ms": max(times[1:]) * 1000,
    }


def _status_bytes(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key == field:
            return int(value.split()[0]) * 1024
    return 0


def _routing_table_sizes() -> dict[str, int]:
    try:
        from tenantry_django.routing._cache import current_caches
    except ImportError:
        return {}
    caches = current_caches()
    return {
        "hosts": len(caches.hosts),
        "answers": len(caches.answers),
        "domains": len(caches.domains),
    }


HOT_HOSTS = 200  # the interleaved comparison: the first 200 hosts against all N
ROUNDS = 7
PER_ROUND = 500
CLOCKS = ("cpu", "wall")


def _interleaved(request: Callable[[str], None], hosts: list[str]) -> dict[str, float]:
    """Thread CPU and wall µs per request, the minimum over short rounds alternating between
    the first 200 hosts and the rotation over all N (where the last round left off): the same
    process and moment, so what N itself adds (on the client, and on the server: a catalog
    outgrowing shared_buffers) shows through the machine's drift between processes."""
    hot = hosts[:HOT_HOSTS]
    best = {f"{label}_{clock}": float("inf") for label in ("hot", "all") for clock in CLOCKS}
    position = 0
    for _ in range(ROUNDS):
        for label in ("hot", "all"):
            if label == "hot":
                batch = [hot[i % len(hot)] for i in range(PER_ROUND)]
            else:
                batch = [hosts[(position + i) % len(hosts)] for i in range(PER_ROUND)]
                position += PER_ROUND
            cpu, wall = time.thread_time(), time.perf_counter()
            for host in batch:
                request(host)
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            for clock, seconds in zip(CLOCKS, (cpu, wall), strict=True):
                key = f"{label}_{clock}"
                best[key] = min(best[key], seconds / PER_ROUND * 1e6)
    return best


def step_requests(project: str, schemas: list[str]) -> dict[str, Any]:
    from django.db import connection

    from benchmarks.request_overhead.worker import make_client

    tenantry = project == "tenantry"
    expected = {host_of(s): (s if tenantry else "plain") for s in schemas}
    request = make_client(expected)
    hosts = list(expected)
    for host in hosts:  # one pass fills every cache (a domain query per host), untimed
        request(host)
    queries = 0

    def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    passes = max(1, round(REQUESTS / len(hosts)))
    with connection.execute_wrapper(counting):
        cpu, wall = time.thread_time(), time.perf_counter()
        for _ in range(passes):
            for host in hosts:
                request(host)
        cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
    served = passes * len(hosts)
    interleaved = _interleaved(request, hosts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    return {
        "seconds": wall,
        "count": served,
        "cpu_seconds": cpu,
        "queries_per_request": queries / served,
        "backend_anon_mib": _status_bytes(backend, "RssAnon") / 2**20,
        "tables": _routing_table_sizes(),
        "hot_cpu_us": interleaved["hot_cpu"],
        "rotating_cpu_us": interleaved["all_cpu"],
        "hot_wall_us": interleaved["hot_wall"],
        "rotating_wall_us": interleaved["all_wall"],
    }


def step_setup_plain(url: str) -> None:
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrate

    call_command(DjangoMigrate(), interactive=False, verbosity=0)
    with connect(url) as connection:
        connection.execute(own_category("public").replace("'public'", "'plain'"))


def main() -> None:
    project, step, count, sample_size = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[project]
    import django

    django.setup()
    url = os.environ["TENANTRY_BENCH_DATABASE_URL"]
    schemas = schema_names(count)
    sample = schemas[:sample_size]
    if step in ("setup", "light setup"):
        if project == "tenantry" and step == "light setup":
            timings = build_light(url, schemas)
        elif project == "tenantry":
            timings = build(url, schemas, sample_size)
        else:
            step_setup_plain(url)
            timings = {}
        print(json.dumps(timings))
        return
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "fresh": lambda: step_fresh(url, schemas, sample),
        "no-op": lambda: step_migrate_all(url, schemas, added=False),
        "added field": lambda: step_migrate_all(
            url, schemas, added=os.environ.get(ADDED_FIELD) == "1"
        ),
        "select": lambda: step_select(schemas),
        "whowill": lambda: step_command("whowill", schemas),
        "migrationstatus": lambda: step_command("migrationstatus", schemas),
        "create": lambda: step_create(url),
        "requests": lambda: step_requests(project, schemas),
    }
    result = steps[step]()
    own, children = peak_rss_mib()
    # the step's own figure when it verifies afterwards; the process's peak otherwise
    print(json.dumps({"rss_mib": own, "child_rss_mib": children, **result}))


if __name__ == "__main__":
    main()
