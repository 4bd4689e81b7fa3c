"""Scale: what each schema costs at N = 200, 1,000, 10,000 tenants, and how that moves with N.

    hatch run bench:scale [--schemas 200 1000 10000] [--sample 200] [--only PROJECT ...]
                          [--checkout DIR]

For each N, on one embedded PostgreSQL, a fresh database holding N tenants of the
migrate-fleet app (sandbox.inventory: 17 models, 20 migrations), each with a domain. Setup
(untimed) inserts the rows in bulk, leaves SAMPLE schemas empty and makes the others copies
of one schema tenantry migrated (see fleet.py). Then, each step in a process of its own:

  fresh            migrate the SAMPLE empty schemas while N-SAMPLE migrated ones exist (3
                   rounds, the schemas emptied again between them; the best round)
  no-op            migrate -s :dynamic:, nothing to do
  select           runschema's selection of :all: (tenantry.select_tenants)
  whowill          whowill -s :dynamic:
  migrationstatus  migrationstatus -s :dynamic:
  create           one new tenant through save() while N exist (median of 6)
  requests         in-process WSGI rotating over the N hosts (~5,000 requests, at least one
                   pass); then short rounds alternating between the first 200 hosts and
                   the rotation over all N, thread CPU per request (the minimum of each):
                   what N itself adds, measured at one moment in one process
  added field      a new process sees migration 0021 in every schema

--light builds schemas holding only the view's table (10,000 in a minute or two, against
most of an hour for migrated copies on a busy 2-core machine) and runs the steps that need
no migrated app: select, whowill, create, requests.

plain Django serves the same view (its category in public) to the same hosts: its per-request
cost is the reference tenantry's is compared with. Prints one table per N (time per unit,
peak RSS of the process (for fresh and added field, up to the end of the migrate: the
verification that reads every schema afterwards is not counted), per-request CPU, queries
and the server backend's private memory) and, when more than one N ran, each unit cost at
the largest N over the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from postgres_harness import PostgresServer, start_embedded_server

from benchmarks.driver import quote_identifier
from benchmarks.environment import baseline_environment, describe
from benchmarks.migrate_fleet.worker import ADDED_FIELD
from benchmarks.scale.report import LIGHT_STEPS, PLAIN_STEPS, STEPS, print_report

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ("tenantry", "plain Django")


def run_step(
    project: str, step: str, count: int, sample: int, environment: dict[str, str]
) -> dict[str, object]:
    print(f"N={count} {project}: {step} ...", file=sys.stderr, flush=True)
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale.worker", project, step, str(count), str(sample)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        print(f"--- {project} {step} failed:\n{output.stderr[-3000:]}", file=sys.stderr)
        lines = [line for line in output.stderr.splitlines() if line and not line[0].isspace()]
        return {"failed": (lines or [f"exit {output.returncode}"])[-1][:100]}
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    print(f"N={count} {project}: {step} {result}", file=sys.stderr, flush=True)
    return result


def _exists(server: PostgresServer, database: str) -> bool:
    with server.connect() as admin:
        found = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return found.fetchone() is not None


def _copy_database(server: PostgresServer, source: str, target: str) -> float:
    """``target`` as a file copy of ``source`` (seconds taken): no DDL replayed."""
    started = time.perf_counter()
    with server.connect() as admin:
        admin.execute(
            f"CREATE DATABASE {quote_identifier(target)} TEMPLATE {quote_identifier(source)} "
            "STRATEGY FILE_COPY"
        )
    return time.perf_counter() - started


def measure(
    server: PostgresServer,
    project: str,
    count: int,
    sample: int,
    workers: int,
    checkout: Path | None,
    *,
    keep: bool = False,
    build_only: bool = False,
    light: bool = False,
) -> dict[str, dict[str, object]]:
    database = f"scale_{project.split()[0].lower()}_{count}" + ("_light" if light else "")
    # A kept cluster keeps each fleet as it was right after setup (a template database):
    # a later run copies its files instead of building the fleet again.
    template = f"{database}_fleet_{sample}"
    copied = keep and project == "tenantry" and _exists(server, template)
    if copied:
        if build_only:
            return {"setup": {"kept": 0.0}}
        seconds = _copy_database(server, template, database)
    else:
        server.create_database(database)
    with server.connect() as admin:  # no statement statistics: nobody reads them here
        admin.execute(
            f"ALTER DATABASE {quote_identifier(database)} SET pg_stat_statements.track = 'none'"
        )
    environment = {
        **os.environ,
        "TENANTRY_BENCH_DATABASE_URL": server.url(database),
        "TENANTRY_BENCH_WORKERS": str(workers),
    }
    environment.pop(ADDED_FIELD, None)
    if checkout is not None and project == "tenantry":
        environment = baseline_environment(checkout, environment)
    results: dict[str, dict[str, object]] = {}
    try:
        if copied:
            results["setup"] = {f"copied from {template}": seconds}
        else:
            setup = "light setup" if light else "setup"
            results["setup"] = run_step(project, setup, count, sample, environment)
            if keep and project == "tenantry" and "failed" not in results["setup"]:
                if build_only:  # nothing runs on it here: the fleet itself is kept
                    with server.connect() as admin:
                        admin.execute(
                            f"ALTER DATABASE {quote_identifier(database)} "
                            f"RENAME TO {quote_identifier(template)}"
                        )
                    kept = 0.0
                else:  # a copy: the steps below change the fleet
                    kept = _copy_database(server, database, template)
                results["setup"][f"kept as {template}"] = kept
        if build_only or "failed" in results["setup"]:
            return results
        steps = LIGHT_STEPS if light else STEPS
        for step in steps if project == "tenantry" else PLAIN_STEPS:
            added = {ADDED_FIELD: "1"} if step == "added field" else {}
            results[step] = run_step(project, step, count, sample, {**environment, **added})
            if "failed" in results[step] and step in ("fresh",):
                break  # nothing after it can run on a fleet that is not there
    finally:
        server.drop_database(database)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, nargs="+", default=[200, 1000], metavar="N")
    parser.add_argument(
        "--sample", type=int, default=200, help="empty schemas the fresh migrate times"
    )
    parser.add_argument("--workers", type=int, default=2, help="W for the parallel executor")
    parser.add_argument(
        "--only", nargs="+", choices=PROJECTS, metavar="PROJECT", help="tenantry, plain Django"
    )
    parser.add_argument(
        "--keep",
        type=Path,
        metavar="DIR",
        help="run the cluster kept in DIR, and keep each fleet there after its setup (a "
        "template database): the next run at that N copies it instead of building it",
    )
    parser.add_argument(
        "--light",
        action="store_true",
        help=f"schemas holding only the view's table; steps {', '.join(LIGHT_STEPS)} only",
    )
    parser.add_argument(
        "--build-only", action="store_true", help="with --keep: build the fleets, time nothing"
    )
    parser.add_argument(
        "--checkout",
        type=Path,
        metavar="DIR",
        help="import tenantry from DIR (a git worktree: committed code, not a working tree)",
    )
    options = parser.parse_args()
    projects = [p for p in PROJECTS if not options.only or p in options.only]
    if options.build_only and options.keep is None:
        parser.error("--build-only needs --keep DIR")
    server = start_embedded_server(options.keep)
    results: dict[int, dict[str, dict[str, dict[str, object]]]] = {}
    try:
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
        for count in options.schemas:
            sample = min(count, options.sample)
            results[count] = {
                p: measure(
                    server,
                    p,
                    count,
                    sample,
                    options.workers,
                    options.checkout,
                    keep=options.keep is not None,
                    build_only=options.build_only,
                    light=options.light,
                )
                for p in projects
            }
            print_report({count: results[count]}, options.sample, flush=True)
    finally:
        server.stop()
    print(describe(row[0] if row else None))
    print(f"W = {options.workers} workers for migrate's parallel executor, {os.cpu_count()} CPUs")
    if options.checkout is not None:
        print(f"tenantry imported from {options.checkout}")
    failed = print_report(results, options.sample)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
