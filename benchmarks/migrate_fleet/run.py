"""Migrating N schemas: tenantry, plain Django, django-tenants, django-pgschemas.

    hatch run bench:migrate-fleet [--schemas N] [--workers W] [--only PROJECT [PROJECT ...]]

Every project migrates the same tenant app (sandbox.inventory: 17 models, 20 migrations
including a data migration and a RunSQL) into N schemas of its own fresh database on one
embedded PostgreSQL, each step in a process of its own so settings never mix. Setup
(untimed) migrates public and creates N tenant rows and N empty schemas. Then, each timed
separately (wall clock around the command) and verified in SQL:

  fresh        migrate the N empty schemas
  no-op        migrate again, nothing to do
  added field  a new process that sees migration 0021 (one AddField with a default)

Prints the environment (Python, Django, driver, the peers' releases), then per scenario each
project's total time, time per schema, peak RSS and its time as a ratio to tenantry's, and
the fastest peer.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from postgres_harness import PostgresServer, start_embedded_server

from benchmarks.environment import BASELINE, baseline_environment, describe
from benchmarks.migrate_fleet.projects import BY_NAME, PROJECTS, Project
from benchmarks.migrate_fleet.report import SCENARIOS, Result, print_report
from benchmarks.migrate_fleet.worker import ADDED_FIELD

ROOT = Path(__file__).resolve().parents[2]


class StepError(Exception):
    pass


def run_step(project: Project, step: str, count: int, environment: dict[str, str]) -> str:
    name = "tenantry" if project.name == BASELINE else project.name  # its environment differs
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.migrate_fleet.worker", name, step, str(count)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        print(f"--- {project.name} {step} failed:\n{output.stderr[-3000:]}", file=sys.stderr)
        # The exception line, or a verification's headline: the last unindented line.
        lines = [line for line in output.stderr.splitlines() if line and not line[0].isspace()]
        raise StepError((lines or [f"exit {output.returncode}"])[-1][:100])
    return output.stdout


def measure(
    server: PostgresServer, project: Project, count: int, workers: int, baseline: Path | None
) -> dict[str, Result | str]:
    """Scenario -> Result, or the failure that stopped the project (later ones not run)."""
    database = "fleet_" + "".join(c if c.isalnum() else "_" for c in project.name.lower())
    server.create_database(database)
    environment = {
        **os.environ,
        "TENANTRY_BENCH_DATABASE_URL": server.url(database),
        "TENANTRY_BENCH_WORKERS": str(workers),
    }
    environment.pop(ADDED_FIELD, None)
    if project.name == BASELINE:
        assert baseline is not None
        environment = baseline_environment(baseline, environment)
    results: dict[str, Result | str] = {}
    try:
        run_step(project, "setup", count, environment)
        for scenario in SCENARIOS:
            added = {ADDED_FIELD: "1"} if scenario == "added field" else {}
            stdout = run_step(project, "migrate", count, {**environment, **added})
            results[scenario] = Result(**json.loads(stdout.strip().splitlines()[-1]))
            print(f"{project.name}: {scenario} done", file=sys.stderr, flush=True)
    except StepError as failure:
        results.update({s: f"failed: {failure}" for s in SCENARIOS if s not in results})
    finally:
        server.drop_database(database)  # 1000 schemas of 20 tables: do not keep them around
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=200, help="N tenant schemas")
    parser.add_argument("--workers", type=int, default=2, help="W for the parallel executors")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=list(BY_NAME),
        metavar="PROJECT",
        help=f"projects to run (default all): {', '.join(BY_NAME)}",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help=f"also run tenantry from the checkout DIR (a git worktree), as {BASELINE!r}",
    )
    options = parser.parse_args()
    selected = [p for p in PROJECTS if not options.only or p.name in options.only]
    if options.baseline is not None:
        note = f"the same, tenantry imported from {options.baseline}"
        selected.insert(1, dataclasses.replace(BY_NAME["tenantry"], name=BASELINE, note=note))
    server = start_embedded_server()
    try:
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
        results = {
            p.name: measure(server, p, options.schemas, options.workers, options.baseline)
            for p in selected
        }
    finally:
        server.stop()
    version = row[0] if row else None
    print(describe(version))
    failed = print_report(selected, results, options.schemas, options.workers)
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
