"""Time to create one tenant: tenantry against django-tenants and django-pgschemas.

    hatch run bench:create-tenant [--count N]

Every library creates the same tenant (the sandbox's notes app: 3 tables, 2 migrations, one
data migration) in a fresh database on one embedded PostgreSQL, first by migrating and then
by cloning a reference schema. Each library runs in its own process; after one warm-up
creation, N tenants are created one at a time, then checked in SQL: every tenant complete
(tables, migration records, the data migration's row) and made as claimed (a clone carries
the reference's migration records, a migrated schema its own). Prints the environment
(Python, Django, driver, the peers' releases), then the median and best time per tenant and
each figure as a ratio to tenantry's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from postgres_harness import start_embedded_server

from benchmarks.environment import describe

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ["tenantry", "django-tenants", "django-pgschemas"]


def measure(server, library: str, clone: bool, count: int) -> dict:
    database = f"bench_{library.replace('-', '_')}_{'clone' if clone else 'migrate'}"
    server.create_database(database)
    try:
        environment = {
            **os.environ,
            "TENANTRY_BENCH_DATABASE_URL": server.url(database),
            "TENANTRY_BENCH_CLONE": "1" if clone else "0",
        }
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.tenant_creation.worker", library, str(count)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
        )
        if output.returncode != 0:
            raise SystemExit(f"{library} failed:\n{output.stderr[-3000:]}")
        result = json.loads(output.stdout.strip().splitlines()[-1])
        if result["problems"]:
            problems = result["problems"]
            shown = "\n  ".join(problems[:10])
            method = "clone" if clone else "migrate"
            raise SystemExit(f"{library} ({method}): {len(problems)} problems:\n  {shown}")
        return result
    finally:
        server.drop_database(database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    count = parser.parse_args().count
    server = start_embedded_server()
    try:
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
        print(describe(row[0] if row else None))
        print(f"{count} tenants per library and method, after one warm-up; each one verified")
        print(
            f"{'method':<8} {'library':<17} {'median ms':>10} {'best ms':>8} "
            f"{'x tenantry (median)':>20}"
        )
        for clone in (False, True):
            results = {lib: measure(server, lib, clone, count) for lib in LIBRARIES}
            base = statistics.median(results["tenantry"]["timings_ms"])
            for library, result in results.items():
                median = statistics.median(result["timings_ms"])
                print(
                    f"{'clone' if clone else 'migrate':<8} {library:<17} {median:>10.1f} "
                    f"{min(result['timings_ms']):>8.1f} {median / base:>20.2f}"
                )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
