"""A PostgreSQL backend's memory after serving 1, 100, 1,000, 10,000 tenant schemas.

    hatch run bench:backend-memory [--schemas N] [--recycle R [R ...]] [--policy R [R ...]]
                                   [--rounds K]

PostgreSQL never evicts relcache and catcache entries a backend has loaded: a connection that
serves many tenants keeps every schema's tables, indexes and their catalog rows. Setup
(untimed) builds N schemas of migrate-fleet's tenant app (17 models, 20 migrations; the first
migrated, the others replayed from pg_dump's script of it) on one embedded server. Then, each
in a process of its own, ONE Django connection with tenantry's backend activates the N
tenants one after another and runs a request's four ORM queries (products with category and
supplier, draft orders with customer, a stock sum, tags with product counts) in each:

  never      one connection throughout: its memory at 1, 10, 100, 1,000, 3,000, 10,000
  every R    the connection closed after every R distinct schemas (Django reconnects on the
             next query): the bound that gives, and its cost per schema visited
  policy R   tenantry's own policy, TENANTRY_RECYCLE_AFTER_SCHEMAS = R, on a persistent
             connection (CONN_MAX_AGE None) whose requests are framed by Django's request
             signals: the connection is closed at the boundary after the request in which its
             server session passed R schemas (so each session serves R + 1)

Memory: the backend's pg_backend_memory_contexts (all of them; CacheMemoryContext with
everything under it, its own bytes, which hold both the catalog caches and the relation
descriptors in PostgreSQL 18, and its "index info" children; the relcache and smgr hash
tables), its VmRSS (with the shared buffers it touched) and RssAnon (private) from /proc
(the server is local), and this client's RSS.
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

from benchmarks.backend_memory.memory import MIB
from benchmarks.environment import describe

ROOT = Path(__file__).resolve().parents[2]
DATABASE = "backend_memory"


def run_step(environment: dict[str, str], *arguments: str) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.backend_memory.worker", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if output.returncode != 0:
        raise SystemExit(f"worker {' '.join(arguments)} failed:\n{output.stderr[-3000:]}")
    return json.loads(output.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def catalog_size(server: PostgresServer) -> tuple[int, float]:
    with server.connect(DATABASE) as admin:
        row = admin.execute(
            "SELECT (SELECT count(*) FROM pg_class), pg_database_size(current_database())"
        ).fetchone()
    return int(row[0]), row[1] / MIB


def mib(value: float) -> str:
    return f"{value / MIB:,.1f}"


def print_growth(visit: dict[str, Any]) -> None:
    print("\nOne connection, never recycled: the backend after N distinct schemas (MiB)")
    header = (
        f"{'schemas':>8} {'contexts':>9} {'cache':>8} {'own':>8} {'idx info':>8} {'(count)':>8} "
        f"{'hashes':>7} {'VmRSS':>8} {'RssAnon':>8} {'client':>7} {'KiB/schema':>10}"
    )
    print(header)
    first = visit["samples"][0]
    for sample in visit["samples"]:
        grown = (sample["contexts"] - first["contexts"]) / 1024
        per_schema = grown / (sample["schemas"] - 1) if sample["schemas"] > 1 else 0.0
        print(
            f"{sample['schemas']:>8,} {mib(sample['contexts']):>9} {mib(sample['cache']):>8} "
            f"{mib(sample['cache_own']):>8} {mib(sample['index_info']):>8} "
            f"{sample['index_infos']:>8,} {mib(sample['hashes']):>7} "
            f"{mib(sample['backend_rss']):>8} {mib(sample['backend_anon']):>8} "
            f"{mib(sample['client_rss']):>7} "
            f"{per_schema:>10.1f}"
        )


Mode = tuple[str, int]  # ("never", 0), ("every", R) or ("policy", R)


def label_of(mode: Mode) -> str:
    kind, recycle = mode
    return kind if kind == "never" else f"{kind} {recycle:,}"


def print_recycling(rounds: dict[Mode, list[dict[str, Any]]]) -> None:
    print("\nRecycling the connection: time per schema visited (median over the rounds, with")
    print("its reconnects), what one recycle costs, and the most memory any backend held (max")
    print("over the checkpoints and the samples just before each recycle, MiB)")
    header = (
        f"{'recycle':>12} {'conns':>6} {'ms/schema':>9} {'vs never':>8} {'request':>8} "
        f"{'revisit':>8} {'connect':>8} {'1st after':>9} {'recycle/schema':>14} "
        f"{'contexts':>9} {'cache':>7} {'VmRSS':>7} {'RssAnon':>8} {'client peak':>11}"
    )
    print(header)

    def median(visits: list[dict[str, Any]], key: str) -> float:
        return statistics.median(visit[key] for visit in visits)

    never = statistics.median(v["seconds"] / v["schemas"] for v in rounds[("never", 0)])
    for (kind, recycle), visits in rounds.items():
        first = visits[0]  # memory does not vary between rounds; times do
        samples = first["samples"] + first["before_recycle"]
        label = label_of((kind, recycle))
        per_schema = statistics.median(v["seconds"] / v["schemas"] for v in visits)
        request = median(visits, "request_median_ms")
        revisit = median(visits, "revisit_median_ms")
        connect = median(visits, "reconnect_median_ms")
        after = median(visits, "after_reconnect_median_ms")
        # One recycle: the reconnect and the next request's extra time, spread over R schemas.
        # ("-" when it never happened: R at least the schemas visited.)
        recycled = first["connections"] > 1
        served = recycle + 1 if kind == "policy" else recycle  # schemas a session serves
        spread = f"{(connect + after - request) / served:.3f} ms" if recycled else "-"
        print(
            f"{label:>12} {first['connections']:>6,} {per_schema * 1000:>9.3f} "
            f"{per_schema / never:>7.2f}x {request:>8.2f} {revisit:>8.2f} {connect:>8.2f} "
            f"{after:>9.2f} {spread:>14} "
            f"{mib(max(s['contexts'] for s in samples)):>9} "
            f"{mib(max(s['cache'] for s in samples)):>7} "
            f"{mib(max(s['backend_rss'] for s in samples)):>7} "
            f"{mib(max(s['backend_anon'] for s in samples)):>8} "
            f"{mib(first['client_peak_rss']):>11}"
        )
    print(
        "request: median ms of a new schema's request on a connection already in use; "
        "revisit: the same request\nagain in one of the last min(R, 100) schemas (still cached); "
        "connect: close and reconnect (median ms);\n1st after: the request right after a "
        "reconnect; recycle/schema: (connect + 1st after - request) / R\n(policy R: connect is "
        "the boundary that closed the connection, 1st after includes the connect,\nand a "
        "session serves R + 1 schemas)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schemas", type=int, default=1000, help="N tenant schemas (>= 1)")
    parser.add_argument(
        "--recycle",
        type=int,
        nargs="*",
        default=[100, 1000],
        metavar="R",
        help="also visit closing the connection after every R schemas (default 100 1000)",
    )
    parser.add_argument(
        "--policy",
        type=int,
        nargs="*",
        default=[100],
        metavar="R",
        help="also visit under TENANTRY_RECYCLE_AFTER_SCHEMAS = R (default 100)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="interleaved visits per mode")
    options = parser.parse_args()
    if min(options.schemas, options.rounds, *options.recycle, *options.policy) < 1:
        parser.error("--schemas, --recycle, --policy and --rounds take positive numbers")
    server = start_embedded_server()
    try:
        server.create_database(DATABASE)
        environment = {**os.environ, "TENANTRY_BENCH_DATABASE_URL": server.url(DATABASE)}
        setup = run_step(environment, "setup", str(options.schemas))
        relations, size = catalog_size(server)
        print(f"setup done in {setup['seconds']:.0f} s", file=sys.stderr, flush=True)
        modes: list[Mode] = [
            ("never", 0),
            *(("every", recycle) for recycle in options.recycle),
            *(("policy", recycle) for recycle in options.policy),
        ]
        rounds: dict[Mode, list[dict[str, Any]]] = {mode: [] for mode in modes}
        for number in range(1, options.rounds + 1):  # interleaved: drift hits every mode
            for mode in modes:
                kind, recycle = mode
                policy = ["policy"] if kind == "policy" else []
                step = ["visit", str(options.schemas), str(recycle), *policy]
                rounds[mode].append(run_step(environment, *step))
                print(f"round {number}: {label_of(mode)} done", file=sys.stderr, flush=True)
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
    finally:
        server.stop()
    print(describe(row[0] if row else None))
    print(
        f"{options.schemas:,} schemas: first migrated in {setup['migrate_first_s']:.1f} s, "
        f"the others copied at {setup['copy_ms']:.1f} ms each; pg_class {relations:,} rows, "
        f"database {size:,.0f} MiB"
    )
    print_growth(rounds[("never", 0)][0])
    print_recycling(rounds)


if __name__ == "__main__":
    main()
