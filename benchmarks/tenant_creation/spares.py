"""Instant signup: time a new tenant's ``save()`` claiming a spare schema from the pool.

    hatch run bench:python -m benchmarks.tenant_creation.spares [--count N] [--rounds R]
        [--app inventory|notes] [--clone] [--statements]

One embedded PostgreSQL, one fresh database per round, tenantry only (no peer has a pool).
Each round runs in its own process: public is migrated, the pool is filled with N+1 spares
(timed: the cost moved out of signup, per spare), one warm-up tenant claims a spare, then N
tenants are created one at a time through ``Tenant(...).save()``, each claiming one. Each
creation is timed by the wall clock and this thread's CPU, and on the server from
pg_stat_statements (reset before, read after, on a connection of its own). Afterwards every
tenant is checked in SQL: the app's tables, its migrations recorded, its data migration's
rows, no spare marker left; and the pool must be empty (every tenant came from it).
``--clone`` makes spares from a clone reference instead of by migrating.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
APP_ROWS = {  # the data migration's rows per app, and how many migrations the app has
    "notes": ("SELECT count(*) FROM {schema}.notes_tag WHERE name = 'welcome'", 1, 2),
    "inventory": ("SELECT count(*) FROM {schema}.inventory_tag", 3, 20),
}


def _server_statements(monitor: Any) -> tuple[int, float]:
    row = monitor.execute(
        "SELECT coalesce(sum(calls), 0)::int, coalesce(sum(total_exec_time), 0)::float8 "
        "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
        "WHERE d.datname = current_database() AND s.toplevel "
        "AND s.query NOT ILIKE '%pg_stat_statements%'"
    ).fetchone()
    return int(row[0]), float(row[1])


def _verify(app: str, count: int) -> list[str]:
    from django.db import connection

    from benchmarks.driver import quote_identifier
    from tenantry_django.spares import list_spares

    rows_query, rows_expected, migrations = APP_ROWS[app]
    problems = []
    if list_spares("default"):
        problems.append(f"{len(list_spares('default'))} spares left: not every tenant claimed one")
    with connection.cursor() as cursor:
        for index in range(count):
            schema = f"tenant_{index}"
            name = quote_identifier(schema)
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {name}.django_migrations WHERE app = %s), "
                f"({rows_query.format(schema=name)}), "
                "(SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace "
                "WHERE nspname = %s)",
                [app, schema],
            )
            recorded, rows, marker = cursor.fetchone()
            if (recorded, rows, marker) != (migrations, rows_expected, None):
                problems.append(f"{schema}: {recorded} migrations, {rows} rows, marker {marker}")
    return problems


def worker(count: int) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.tenant_creation.settings_spares"
    os.environ["TENANTRY_BENCH_SPARES"] = str(count + 1)
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    from sandbox.customers.models import Tenant

    from benchmarks.driver import connect
    from tenantry_django.schemas import create_clone_reference
    from tenantry_django.spares import refill_spares

    call_command("migrate", verbosity=0, interactive=False)  # fills the pool as well...
    from tenantry_django.spares import drop_spares

    drop_spares()  # ...untimed: fill it again, timed
    if os.environ.get("TENANTRY_BENCH_CLONE") == "1":
        create_clone_reference()
    started = time.perf_counter()
    (report,) = refill_spares()
    fill_ms = (time.perf_counter() - started) * 1000 / len(report.created)
    Tenant(schema_name="warmup").save()
    creations = []
    with connect(os.environ["TENANTRY_BENCH_DATABASE_URL"]) as monitor:
        monitor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        for index in range(count):
            monitor.execute("SELECT pg_stat_statements_reset()")
            started, cpu_started = time.perf_counter(), time.thread_time()
            Tenant(schema_name=f"tenant_{index}").save()
            wall, cpu = time.perf_counter() - started, time.thread_time() - cpu_started
            statements, server_ms = _server_statements(monitor)
            creations.append(
                {
                    "wall_ms": wall * 1000,
                    "cpu_ms": cpu * 1000,
                    "statements": statements,
                    "server_ms": server_ms,
                }
            )
        queries = monitor.execute(  # the last claim's statements, for --statements
            "SELECT calls, round(total_exec_time::numeric, 3), "
            "left(regexp_replace(query, '\\s+', ' ', 'g'), 100) "
            "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND s.toplevel "
            "AND s.query NOT ILIKE '%pg_stat_statements%' ORDER BY s.total_exec_time DESC"
        ).fetchall()
    problems = _verify(settings.APP, count)
    print(
        json.dumps(
            {
                "fill_ms": fill_ms,
                "creations": creations,
                "problems": problems,
                "statements": [f"{calls} x {ms} ms  {query}" for calls, ms, query in queries],
            }
        )
    )


def _round(server: Any, index: int, count: int, app: str, clone: bool) -> dict[str, Any]:
    database = f"bench_spares_{index}"
    server.create_database(database)
    environment = {
        **os.environ,
        "TENANTRY_BENCH_DATABASE_URL": server.url(database),
        "TENANTRY_BENCH_APP": app,
        "TENANTRY_BENCH_CLONE": "1" if clone else "0",
    }
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.tenant_creation.spares", "--worker", str(count)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise SystemExit(f"round {index} failed:\n{output.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    if result["problems"]:
        raise SystemExit("tenants not as claimed:\n  " + "\n  ".join(result["problems"][:10]))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--app", choices=sorted(APP_ROWS), default="inventory")
    parser.add_argument("--clone", action="store_true", help="spares cloned from a reference")
    parser.add_argument("--statements", action="store_true", help="list a claim's statements")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.worker is not None:
        worker(arguments.worker)
        return
    from postgres_harness import start_embedded_server

    server = start_embedded_server()
    try:
        results = [
            _round(server, index, arguments.count, arguments.app, arguments.clone)
            for index in range(arguments.rounds)
        ]
    finally:
        server.stop()
    creations = [c for result in results for c in result["creations"]]

    def median(key: str) -> float:
        return statistics.median(c[key] for c in creations)

    made = "cloned from a reference" if arguments.clone else "migrated"
    print(
        f"app sandbox.{arguments.app}; {arguments.rounds} round(s) of {arguments.count} "
        f"claims, spares {made}; every tenant verified"
    )
    print(
        f"claim (save() of a new tenant): median {median('wall_ms'):.2f} ms, best "
        f"{min(c['wall_ms'] for c in creations):.2f} ms; thread CPU {median('cpu_ms'):.2f} ms; "
        f"{median('statements'):.0f} statements, {median('server_ms'):.2f} ms on the server"
    )
    fill = statistics.median(result["fill_ms"] for result in results)
    print(f"fill (moved out of signup): {fill:.1f} ms per spare (median of rounds)")
    if arguments.statements:
        print("statements of the last claim (slowest first):")
        for line in results[-1]["statements"]:
            print(f"  {line}")


if __name__ == "__main__":
    main()
