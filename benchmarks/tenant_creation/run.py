"""Time to create one tenant: tenantry against plain Django, django-tenants, django-pgschemas.

    hatch run bench:create-tenant [--count N] [--rounds R] [--app inventory|notes]
                                  [--baseline DIR] [--only LIBRARY [LIBRARY ...]]

Every library creates the same tenant app (``--app``: sandbox.inventory, 17 models and 20
migrations with a data migration and a RunSQL view, by default; or sandbox.notes, 3 tables)
in a fresh database on one embedded PostgreSQL, first by migrating and then by cloning a
reference schema (plain Django, which has neither a tenant model nor a reference, only
migrates: CREATE SCHEMA, then Django's own migrate with search_path set to it). Each library
runs in its own process; after one warm-up creation, N tenants are created one at a time,
then checked in SQL: every tenant complete (tables, migration records, the data migration's
rows) and made as claimed (a clone carries the reference's migration records, a migrated
schema its own). With ``--rounds R`` every library runs R times, the rounds interleaved, and
the figures are over all R x N creations.

Per library and method it prints the median and best wall time per tenant, the process CPU
(median), the statements the creation ran and their total execution time on the server
(pg_stat_statements, reset before each creation; medians), the wall time as a ratio to that
server time, and the median as a ratio to tenantry's. ``--baseline DIR`` (a git worktree of
an older commit) adds "tenantry @ baseline": tenantry as it was there, in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from postgres_harness import PostgresServer, start_embedded_server

from benchmarks.environment import BASELINE, baseline_environment, describe

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ["tenantry", "plain Django", "django-tenants", "django-pgschemas"]
MIGRATE_ONLY = {"plain Django"}  # no clone reference to clone from


def measure(
    server: PostgresServer,
    library: str,
    clone: bool,
    count: int,
    app: str,
    baseline: Path | None,
) -> list[dict[str, Any]]:
    slug = "".join(c if c.isalnum() else "_" for c in library.lower())
    database = f"bench_{slug}_{'clone' if clone else 'migrate'}"
    server.create_database(database)
    try:
        environment = {
            **os.environ,
            "TENANTRY_BENCH_DATABASE_URL": server.url(database),
            "TENANTRY_BENCH_CLONE": "1" if clone else "0",
            "TENANTRY_BENCH_APP": app,
        }
        name = library
        if library == BASELINE:
            assert baseline is not None
            environment, name = baseline_environment(baseline, environment), "tenantry"
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.tenant_creation.worker", name, str(count)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        method = "clone" if clone else "migrate"
        if output.returncode != 0:
            raise SystemExit(f"{library} ({method}) failed:\n{output.stderr[-3000:]}")
        result = json.loads(output.stdout.strip().splitlines()[-1])
        if result["problems"]:
            problems = result["problems"]
            shown = "\n  ".join(problems[:10])
            raise SystemExit(f"{library} ({method}): {len(problems)} problems:\n  {shown}")
        return list(result["creations"])
    finally:
        server.drop_database(database)


def _median(creations: list[dict[str, Any]], key: str) -> float:
    return statistics.median(creation[key] for creation in creations)


def report(method: str, results: dict[str, list[dict[str, Any]]]) -> None:
    base = _median(results["tenantry"], "wall_ms")
    for library, creations in results.items():
        median = _median(creations, "wall_ms")
        server_ms = _median(creations, "server_ms")
        print(
            f"{method:<8} {library:<20} {median:>9.1f} "
            f"{min(c['wall_ms'] for c in creations):>8.1f} {_median(creations, 'cpu_ms'):>8.1f} "
            f"{_median(creations, 'statements'):>6.0f} {server_ms:>10.1f} "
            f"{median / server_ms:>9.2f} {median / base:>11.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10, help="tenants per process")
    parser.add_argument("--rounds", type=int, default=1, help="processes per library")
    parser.add_argument("--app", choices=["inventory", "notes"], default="inventory")
    parser.add_argument("--baseline", type=Path, help="a checkout of tenantry to compare")
    parser.add_argument("--only", nargs="+", choices=LIBRARIES, help="tenantry always runs")
    arguments = parser.parse_args()
    libraries = ["tenantry", *(lib for lib in arguments.only or LIBRARIES if lib != "tenantry")]
    if arguments.baseline:
        libraries.insert(1, BASELINE)
    server = start_embedded_server()
    try:
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
        print(describe(row[0] if row else None))
        print(
            f"app sandbox.{arguments.app}; {arguments.rounds} round(s) of {arguments.count} "
            "tenants per library and method, each after one warm-up; each tenant verified"
        )
        print(
            "ms: wall per tenant (median, best), process CPU; stmts and server ms: the "
            "creation's statements and their execution time (pg_stat_statements); x server: "
            "median wall / server ms"
        )
        print(
            f"{'method':<8} {'library':<20} {'median ms':>9} {'best ms':>8} {'cpu ms':>8} "
            f"{'stmts':>6} {'server ms':>10} {'x server':>9} {'x tenantry':>11}"
        )
        for clone in (False, True):
            method = "clone" if clone else "migrate"
            runs = [lib for lib in libraries if not (clone and lib in MIGRATE_ONLY)]
            results: dict[str, list[dict[str, Any]]] = {lib: [] for lib in runs}
            for _ in range(arguments.rounds):
                for library in runs:
                    results[library] += measure(
                        server, library, clone, arguments.count, arguments.app, arguments.baseline
                    )
            report(method, results)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
