"""Per-request overhead: plain Django, tenantry, django-tenants 3.14.0, django-pgschemas 1.1.0.

    hatch run bench:request-overhead [--requests N] [--rounds R]

The same one-query view (five note titles of the request's tenant), 20 tenants each, one
embedded PostgreSQL, each project in its own process and database, persistent connections.
"one tenant" sends every request to one host; "rotating 20" cycles over 20 hosts. Prints the
best of R rounds of N requests (requests/s) and statements per request counted on the server,
each as a ratio to plain Django.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from postgres_harness import start_embedded_server

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = ["plain Django", "tenantry", "django-tenants", "django-pgschemas"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    server = start_embedded_server()
    try:
        with server.connect() as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        results = {}
        for library in LIBRARIES:
            database = "bench_" + library.replace(" ", "_").replace("-", "_").lower()
            server.create_database(database)
            environment = {**os.environ, "TENANTRY_BENCH_DATABASE_URL": server.url(database),
                           "TENANTRY_BENCH_MONITOR_URL": server.url()}
            done = subprocess.run(
                [sys.executable, "-m", "benchmarks.request_overhead.worker", library,
                 str(options.requests), str(options.rounds)],
                cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
            )
            if done.returncode != 0:
                raise SystemExit(f"{library} failed:\n{done.stderr[-4000:]}")
            results[library] = json.loads(done.stdout.strip().splitlines()[-1])
            server.drop_database(database)
        print(f"{options.rounds} rounds of {options.requests} requests, best round; "
              "statements over 1000 requests")
        print(f"{'scenario':<12} {'library':<17} {'req/s':>8} {'x plain':>8} "
              f"{'stmts/req':>10} {'x plain':>8}")
        for scenario in ("one tenant", "rotating 20"):
            plain = results["plain Django"][scenario]
            for library in LIBRARIES:
                row = results[library][scenario]
                print(f"{scenario:<12} {library:<17} {row['rps']:>8.0f} "
                      f"{row['rps'] / plain['rps']:>8.2f} {row['statements']:>10.2f} "
                      f"{row['statements'] / plain['statements']:>8.2f}")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
