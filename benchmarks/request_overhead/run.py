"""Per-request overhead: plain Django, tenantry, django-tenants, django-pgschemas.

    hatch run bench:request-overhead [--requests N] [--rounds R] [--processes P]
                                     [--transport http|wsgi] [--only PROJECT ...]

The same one-query view (five note titles of the request's tenant), 20 tenants each, one
embedded PostgreSQL, each project in its own process and database, persistent connections.
The processes take turns (interleaved rounds, rotating order) so a busy machine's drift hits
every project alike. Each project runs in several processes (``--processes``, default 3): one
process can be a few percent faster or slower than another for its whole life (memory layout,
hash seeds, where the scheduler puts it and its backend), so one process per project would
make that luck part of the result.
"plain Django, 20 schemas" is plain Django too, but each host reads its own copy of the table
by qualified name: what rotating over 20 tables costs the server before any library does
anything.
"one tenant" sends every request to one host; "rotating 20" cycles over 20 hosts. Prints
requests/s (rounds of N requests) and statements per request counted on the server, each as
a ratio to plain Django.

``--transport http`` (default) serves each project with gunicorn on 127.0.0.1 and sends the
requests over one keep-alive connection, as a site is really served. ``--transport wsgi``
calls each project's WSGI handler inside the worker process, with no server and no network:
the strictest view of per-request overhead, and on a small VM the noisiest.

The header names the environment: Python, Django, the driver (psycopg 3 or psycopg2: run it
in ``bench`` and ``bench-psycopg2`` for both) and the peers' releases. Every worker reports
the driver its Django connection uses, and the run stops if it is not the one named.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from postgres_harness import start_embedded_server

from benchmarks.environment import BASELINE, baseline_environment, describe, driver

ROOT = Path(__file__).resolve().parents[2]
LIBRARIES = [
    "plain Django",
    "plain Django, 20 schemas",
    "tenantry",
    "django-tenants",
    "django-pgschemas",
]
SCENARIOS = {"one": "one tenant", "rotating": "rotating 20"}


class Worker:
    def __init__(
        self, library: str, server: object, transport: str, index: int, baseline: Path | None
    ) -> None:
        self.library = library
        self.index = index
        slug = "".join(c if c.isalnum() else "_" for c in library.lower())
        self.database = f"bench_{slug}_{index}"
        server.create_database(self.database)  # type: ignore[attr-defined]
        environment = {
            **os.environ,
            "TENANTRY_BENCH_DATABASE_URL": server.url(self.database),  # type: ignore[attr-defined]
            "TENANTRY_BENCH_MONITOR_URL": server.url(),
        }  # type: ignore[attr-defined]
        if library == BASELINE:
            assert baseline is not None
            environment = baseline_environment(baseline, environment)
            library = "tenantry"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.request_overhead.worker", library, transport],
            cwd=ROOT,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def wait_until_ready(self, driver_module: str) -> None:
        """Wait for "ready DRIVER"; DRIVER must be the module the header names."""
        answer = self._read().split()
        if answer[:1] != ["ready"]:
            raise SystemExit(f"{self.library} did not start")
        if answer[1:] != [driver_module]:
            raise SystemExit(f"{self.library} runs on {answer[1:]}, not {driver_module}")

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if not line:
            raise SystemExit(f"{self.library} stopped (exit {self.process.wait()})")
        return line

    def ask(self, command: str) -> float:
        assert self.process.stdin is not None
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return float(self._read())

    def close(self) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write("quit\n")
            self.process.stdin.close()
        except BrokenPipeError:
            pass  # it stopped already; its error was reported
        self.process.wait(timeout=60)
        assert self.process.stdout is not None
        self.process.stdout.close()


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--transport", choices=["http", "wsgi"], default="http")
    parser.add_argument(
        "--processes",
        type=int,
        default=3,
        help="worker processes per project (each its own database); the result is the median "
        "over processes of each process's median round",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=LIBRARIES,
        default=LIBRARIES,
        help="projects to run (plain Django and its 20-schema variant always run)",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="DIR",
        help=f"also run tenantry from the checkout DIR (a git worktree), as {BASELINE!r}",
    )
    return parser.parse_args()


def _interleaved_rates(
    workers: list[Worker], options: argparse.Namespace
) -> dict[tuple[str, int, str], list[float]]:
    """(library, process, scenario) -> req/s of each round."""
    rates: dict[tuple[str, int, str], list[float]] = {}
    slots = [(worker, scenario) for scenario in SCENARIOS for worker in workers]
    for round_number in range(options.rounds):
        # Every (project, scenario) takes every position in the round in turn, so drift
        # and position effects on a busy machine hit all of them alike.
        shift = round_number % len(slots)
        for worker, scenario in slots[shift:] + slots[:shift]:
            rate = worker.ask(f"run {scenario} {options.requests}")
            rates.setdefault((worker.library, worker.index, scenario), []).append(rate)
    return rates


def _print_report(
    options: argparse.Namespace,
    libraries: list[str],
    rates: dict[tuple[str, int, str], list[float]],
    statements: dict[tuple[str, str], float],
) -> None:
    def rate_of(library: str, scenario: str) -> tuple[float, float, float]:
        """Median over processes of each one's median round; the processes' min, max."""
        per_process = [
            statistics.median(rates[(library, index, scenario)])
            for index in range(options.processes)
        ]
        return statistics.median(per_process), min(per_process), max(per_process)

    print(
        f"transport {options.transport}; "
        f"{len(libraries)} projects x {options.processes} processes interleaved, "
        f"{options.rounds} rounds of {options.requests} requests each; req/s is the median "
        "over processes of each process's median round (range: the processes' medians); "
        "statements counted by pg_stat_statements over 1000 requests"
    )
    print(
        f"{'scenario':<12} {'library':<25} {'req/s':>6} {'range':>11} {'x plain':>8} "
        f"{'x 20 schemas':>13} {'stmts/req':>10} {'x plain':>8}"
    )
    for scenario, label in SCENARIOS.items():
        plain_rate = rate_of("plain Django", scenario)[0]
        plain_statements = statements[("plain Django", scenario)]
        floor_rate = rate_of("plain Django, 20 schemas", scenario)[0]
        for library in libraries:
            rate, low, high = rate_of(library, scenario)
            count = statements[(library, scenario)]
            spread = f"{low:.0f}-{high:.0f}"
            print(
                f"{label:<12} {library:<25} {rate:>6.0f} {spread:>11} "
                f"{rate / plain_rate:>8.2f} "
                f"{rate / floor_rate:>13.2f} {count:>10.2f} {count / plain_statements:>8.2f}"
            )


def main() -> None:
    options = _options()
    libraries = [
        name
        for name in LIBRARIES
        if name in options.only or name in ("plain Django", "plain Django, 20 schemas")
    ]
    if options.baseline is not None:
        libraries.append(BASELINE)
    server = start_embedded_server()
    workers: list[Worker] = []
    try:
        with server.connect() as admin:
            admin.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            row = admin.execute("SHOW server_version").fetchone()
        environment = describe(row[0] if row else None)
        driver_module = driver().split()[0]
        # Started together (setting up 20 tenants takes a while), then awaited.
        workers = [
            Worker(library, server, options.transport, index, options.baseline)
            for index in range(options.processes)
            for library in libraries
        ]
        for worker in workers:
            worker.wait_until_ready(driver_module)
        rates = _interleaved_rates(workers, options)
        statements = {
            (w.library, s): w.ask(f"count {s}") for w in workers if w.index == 0 for s in SCENARIOS
        }

        print(environment)
        _print_report(options, libraries, rates, statements)
    finally:
        for worker in workers:
            worker.close()
        server.stop()


if __name__ == "__main__":
    main()
