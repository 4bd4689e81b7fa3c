"""``hatch run django-suite``: see ``--help`` and this package's ``__init__``."""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from importlib import metadata
from pathlib import Path

import django

from .fetch import cache_root, django_tests
from .report import RunResults, diff, load, load_allow_list, timings, totals_table, tracebacks
from .running import RUNS, SuiteDatabases, run_suite, suite_server

# What the gate covers by default: the areas a search-path-managing backend can disturb
# (connections, transactions and savepoints, schema editing, introspection, migrations, test
# database setup and teardown, raw SQL, PostgreSQL specifics), then broad ORM coverage.
DEFAULT_LABELS = [
    *("backends", "schema", "migrations", "introspection", "inspectdb", "transactions"),
    *("transaction_hooks", "select_for_update", "test_utils", "fixtures", "fixtures_regress"),
    *("serializers", "cache", "dbshell", "postgres_tests", "indexes", "constraints"),
    *("queries", "aggregation", "expressions", "db_functions", "custom_lookups", "delete"),
    *("basic", "model_fields", "bulk_create", "update", "get_or_create", "raw_query"),
    *("timezones", "multiple_database", "lookup", "annotations", "prefetch_related"),
    *("model_inheritance", "sessions_tests"),
]
# The CI subset: the connection, transaction, test-database and DDL paths, in a few minutes.
FAST_LABELS = ["backends", "transactions", "test_utils", "schema"]
ALLOW_LIST = Path(__file__).with_name("expected_tenant_differences.toml")


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="hatch run django-suite",
        description="Run Django's own test suite on the stock PostgreSQL backend and on "
        "tenantry's, and report the tests that fail only on tenantry.",
    )
    parser.add_argument("labels", nargs="*", help="test labels (default: the documented list)")
    parser.add_argument("--fast", action="store_true", help=f"only {' '.join(FAST_LABELS)}")
    parser.add_argument(
        "--runs",
        default="stock,plain,tenant",
        help="comma-separated, of stock, plain (tenantry, no tenant), tenant (tenantry, a "
        "tenant active); without stock, the stock run kept from an earlier gate of the same "
        "labels and environment is the baseline",
    )
    parser.add_argument("--parallel", type=int, default=1, help="runtests.py processes")
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where runs are kept (default: one folder per list of labels in the cache, so "
        "gates of different labels, say CI's --fast beside a full run, never mix results)",
    )
    parser.add_argument("--allow-list", type=Path, default=ALLOW_LIST)
    parser.add_argument("--timings", action="store_true", help="seconds per label and run")
    parser.add_argument(
        "--tracebacks", action="store_true", help="print tenantry-only failures in full"
    )
    parser.add_argument(
        "--report", action="store_true", help="run nothing: diff the runs kept in --workdir"
    )
    options = parser.parse_args(argv)
    if options.fast and options.labels:
        parser.error("--fast and labels exclude each other")
    options.labels = options.labels or (FAST_LABELS if options.fast else DEFAULT_LABELS)
    if options.workdir is None:
        digest = hashlib.sha256(" ".join(sorted(options.labels)).encode()).hexdigest()[:12]
        options.workdir = cache_root() / "results" / digest
    options.runs = [name.strip() for name in options.runs.split(",") if name.strip()]
    if unknown := set(options.runs) - RUNS.keys():
        parser.error(f"unknown runs {sorted(unknown)}; choose from {', '.join(RUNS)}")
    if options.parallel > 1 and importlib.util.find_spec("tblib") is None:
        # Django's parallel runner cannot send a failure's traceback back without tblib and
        # aborts the worker instead, which would hide exactly the failures we look for.
        parser.error("--parallel > 1 needs tblib in the environment (or use --parallel 1)")
    return options


def _check_labels(tests_dir: Path, labels: list[str]) -> None:
    missing = [label for label in labels if not (tests_dir / label.split(".")[0]).is_dir()]
    if missing:
        sys.exit(f"no such test modules in {tests_dir}: {' '.join(missing)}")


def _fingerprint(labels: list[str]) -> dict[str, object]:
    """What a stored run must share with this one to stand in for it: Django, the labels and
    the installed distributions (an optional driver added later changes the outcomes)."""
    installed = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest = hashlib.sha256("\n".join(installed).encode()).hexdigest()[:16]
    return {"django": django.__version__, "labels": labels, "environment": digest}


def _stored(workdir: Path, name: str, labels: list[str]) -> RunResults:
    """A run kept in the workdir by an earlier gate, if it ran exactly this configuration."""
    meta = workdir / f"{name}.meta.json"
    if not meta.exists() or json.loads(meta.read_text()) != _fingerprint(labels):
        sys.exit(f"no stored {name} run of these labels in this environment: run it")
    print(f"[{name}] reusing {workdir / f'{name}.jsonl'}")
    return load(name, workdir / f"{name}.jsonl")


def _run(
    options: argparse.Namespace, tests_dir: Path
) -> tuple[dict[str, RunResults], dict[str, float]]:
    """Each chosen run on one server: their outcomes and wall times."""
    results: dict[str, RunResults] = {}
    seconds: dict[str, float] = {}
    with suite_server() as server, SuiteDatabases(server) as databases:
        with server.connect() as connection:
            version = connection.execute("SHOW server_version").fetchone()
        print(f"PostgreSQL {version[0] if version else '?'} on {server.host}:{server.port}")
        if databases.test_collations:
            print(f"no ICU: the suite's test collations are {databases.test_collations}")
        for name in options.runs:
            run = RUNS[name]
            tenant = f", tenant {run.tenant!r} active" if run.tenant else ""
            print(f"[{name}] {run.engine}{tenant} ...", flush=True)
            done = run_suite(
                tests_dir,
                run,
                databases,
                options.labels,
                parallel=options.parallel,
                workdir=options.workdir,
            )
            seconds[name] = done.seconds
            results[name] = load(name, done.results)
            meta = _fingerprint(options.labels)
            (options.workdir / f"{name}.meta.json").write_text(json.dumps(meta))
            print(f"[{name}] {done.seconds:.0f}s, runtests.py exit {done.returncode}, {done.log}")
            print(f"[{name}] backend: {results[name].backend}")
    return results, seconds


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    tests_dir = django_tests(django.__version__)
    _check_labels(tests_dir, options.labels)
    options.workdir.mkdir(parents=True, exist_ok=True)
    print(f"Django {django.__version__}'s tests ({tests_dir}), --parallel {options.parallel}")
    print(f"labels: {' '.join(options.labels)}", flush=True)

    if options.report:
        results = {name: _stored(options.workdir, name, options.labels) for name in options.runs}
        seconds: dict[str, float] = {}
    else:
        results, seconds = _run(options, tests_dir)
    if "stock" not in results:  # the baseline every diff needs
        results = {"stock": _stored(options.workdir, "stock", options.labels), **results}
    print()
    print("\n".join(totals_table(results, seconds)))
    if options.timings:
        print("\n" + "\n".join(timings(results, seconds)))
    print()
    allowed = load_allow_list(options.allow_list)
    verdict = diff(results, allowed)
    print("\n".join(verdict.lines))
    if options.tracebacks:
        for name, tests in verdict.tenantry_only.items():
            print("\n" + "\n".join(tracebacks(tests, results[name])))
    print(f"\noutcomes and tracebacks: {options.workdir}/<run>.jsonl")
    print("gate: " + ("FAILED" if verdict.failed else "passed"))
    return 1 if verdict.failed else 0


if __name__ == "__main__":
    sys.exit(main())
