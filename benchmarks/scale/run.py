"""Scale: what each schema costs at N = 200, 1,000, 10,000 tenants, and how that moves with N.

    hatch run bench:scale [--schemas 200 1000 10000] [--sample 200] [--only PROJECT ...]
                          [--rounds 2] [--shared-buffers SIZE] [--checkout DIR]

For each N, on one embedded PostgreSQL, a fresh database holding N tenants of the
migrate-fleet app (sandbox.inventory: 17 models, 20 migrations), each with a domain. Setup
(untimed) inserts the rows in bulk, leaves SAMPLE schemas empty and makes the others copies
of one schema tenantry migrated (see fleet.py). Every N's databases are set up first; then
each step runs on every N in turn (the order reversed every other round), each time in a
process of its own, ROUNDS times for the steps that leave the fleet as they found it, and
the best round counts: the N's take a step within the same minute or two, so this VM's
drift (minutes at a time of a 1.3x slower machine) falls on all of them alike.

  fresh            migrate the SAMPLE empty schemas while N-SAMPLE migrated ones exist (3
                   rounds, the schemas emptied again between them; the best round)
  no-op            migrate -s :dynamic:, nothing to do
  select           runschema's selection of :all: (tenantry.select_tenants)
  whowill          whowill -s :dynamic:
  migrationstatus  migrationstatus -s :dynamic:
  create           one new tenant through save() while N exist (median of 6)
  requests         in-process WSGI rotating over the N hosts (~5,000 requests, at least one
                   pass); then short rounds alternating between the first 200 hosts and
                   the rotation over all N, thread CPU and wall time per request (the
                   minimum of each): what N itself adds, at one moment in one process (the
                   wall time includes the server's catalog reads: at 10,000 full schemas
                   the catalog outgrows the harness's 256MB of shared_buffers)
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
from dataclasses import dataclass, field
from pathlib import Path

from postgres_harness import PostgresServer, start_embedded_server

from benchmarks.driver import quote_identifier
from benchmarks.environment import baseline_environment, describe
from benchmarks.migrate_fleet.worker import ADDED_FIELD
from benchmarks.scale.report import LIGHT_STEPS, PLAIN_STEPS, STEPS, per_unit, print_report

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ("tenantry", "plain Django")
#: Steps that change the fleet run once (fresh times its own rounds on the sample).
CHANGES_FLEET = ("fresh", "added field")


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


@dataclass
class Fleet:
    """One project's database at one N, set up, and what its steps measured."""

    project: str
    count: int
    sample: int
    database: str
    environment: dict[str, str]
    results: dict[str, dict[str, object]] = field(default_factory=dict)
    broken: bool = False  # its setup or fresh migrate failed: nothing more runs on it


def prepare(
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
) -> Fleet:
    """The project's database at ``count`` tenants: copied from a kept fleet, or set up."""
    database = f"scale_{project.split()[0].lower()}_{count}" + ("_light" if light else "")
    # A kept cluster keeps each fleet as it was right after setup (a template database):
    # a later run copies its files instead of building the fleet again.
    template = f"{database}_fleet_{sample}"
    environment = {
        **os.environ,
        "TENANTRY_BENCH_DATABASE_URL": server.url(database),
        "TENANTRY_BENCH_WORKERS": str(workers),
    }
    environment.pop(ADDED_FIELD, None)
    if checkout is not None and project == "tenantry":
        environment = baseline_environment(checkout, environment)
    fleet = Fleet(project, count, sample, database, environment, broken=build_only)
    if keep and project == "tenantry" and _exists(server, template):
        if not build_only:
            seconds = _copy_database(server, template, database)
            fleet.results["setup"] = {f"copied from {template}": seconds}
        else:
            fleet.results["setup"] = {"kept": 0.0}
            return fleet
    else:
        server.create_database(database)
    with server.connect() as admin:  # no statement statistics: nobody reads them here
        admin.execute(
            f"ALTER DATABASE {quote_identifier(database)} SET pg_stat_statements.track = 'none'"
        )
    if "setup" in fleet.results:
        return fleet
    setup = run_step(project, "light setup" if light else "setup", count, sample, environment)
    fleet.results["setup"] = setup
    fleet.broken = fleet.broken or "failed" in setup
    if keep and project == "tenantry" and "failed" not in setup:
        if build_only:  # nothing runs on it here: the fleet itself is kept
            with server.connect() as admin:
                admin.execute(
                    f"ALTER DATABASE {quote_identifier(database)} "
                    f"RENAME TO {quote_identifier(template)}"
                )
            kept = 0.0
        else:  # a copy: the steps below change the fleet
            kept = _copy_database(server, database, template)
        setup[f"kept as {template}"] = kept
    return fleet


def _better(result: dict[str, object], before: dict[str, object] | None) -> bool:
    """Whether ``result`` is the round to keep: the first, one that ran where an earlier one
    failed, or one faster per unit."""
    if before is None or "failed" in before:
        return True
    return "failed" not in result and per_unit(result) < per_unit(before)


def run_steps(fleets: list[Fleet], rounds: int, *, light: bool = False) -> None:
    """Each step on every fleet in turn, ``rounds`` times (ABBA order) for the steps that
    leave the fleet as they found it; a fleet keeps its best round of each step. The fleets
    of every N take each step within the same minute or two, so this VM's drift (a 1.3x
    slower machine for minutes at a time) falls on every N alike."""
    steps = LIGHT_STEPS if light else STEPS
    for step in steps:
        repeats = 1 if step in CHANGES_FLEET else rounds
        for index in range(repeats):
            for fleet in fleets if index % 2 == 0 else fleets[::-1]:
                wanted = steps if fleet.project == "tenantry" else PLAIN_STEPS
                if fleet.broken or step not in wanted:
                    continue
                added = {ADDED_FIELD: "1"} if step == "added field" else {}
                environment = {**fleet.environment, **added}
                result = run_step(fleet.project, step, fleet.count, fleet.sample, environment)
                if _better(result, fleet.results.get(step)):
                    fleet.results[step] = result
                if "failed" in result and step == "fresh":
                    fleet.broken = True  # nothing after it can run on a fleet that is not there


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
        "--rounds",
        type=int,
        default=2,
        help="rounds of each step that leaves the fleet unchanged, every N in turn (the best)",
    )
    parser.add_argument(
        "--shared-buffers",
        metavar="SIZE",
        help="the server's shared_buffers (the harness's default: 256MB); at 10,000 schemas the "
        "catalog outgrows it, and requests read catalog blocks from the OS (docs/benchmarks.md)",
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
    settings = {"shared_buffers": options.shared_buffers} if options.shared_buffers else {}
    server = start_embedded_server(options.keep, settings=settings)
    fleets: list[Fleet] = []
    try:
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
            (buffers,) = admin.execute("SHOW shared_buffers").fetchone() or ("?",)
        for count in options.schemas:
            for project in projects:
                fleets.append(
                    prepare(
                        server,
                        project,
                        count,
                        min(count, options.sample),
                        options.workers,
                        options.checkout,
                        keep=options.keep is not None,
                        build_only=options.build_only,
                        light=options.light,
                    )
                )
        run_steps(fleets, options.rounds, light=options.light)
    finally:
        for fleet in fleets:
            server.drop_database(fleet.database)
        server.stop()
    results = {
        count: {fleet.project: fleet.results for fleet in fleets if fleet.count == count}
        for count in options.schemas
    }
    print(describe(row[0] if row else None))
    print(f"W = {options.workers} workers for migrate's parallel executor, {os.cpu_count()} CPUs")
    print(f"server shared_buffers: {buffers}")
    if options.checkout is not None:
        print(f"tenantry imported from {options.checkout}")
    failed = print_report(results, options.sample)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
