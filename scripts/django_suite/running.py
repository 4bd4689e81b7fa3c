"""Run Django's ``runtests.py`` once per configuration against a throwaway PostgreSQL."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postgres_harness.server import (
    SERVER_URL_VARIABLE,
    PostgresServer,
    server_from_url,
    start_embedded_server,
)

from . import CONFIG_VARIABLE, RESULTS_VARIABLE

SCRIPTS_DIR = Path(__file__).resolve().parent.parent  # puts "django_suite" on sys.path
STOCK_ENGINE = "django.db.backends.postgresql"
TENANTRY_ENGINE = "tenantry_django.postgresql"
TENANT_SCHEMA = "suite_tenant"


@dataclass(frozen=True)
class Run:
    name: str
    engine: str
    tenant: str | None = None


RUNS = {
    "stock": Run("stock", STOCK_ENGINE),
    "plain": Run("plain", TENANTRY_ENGINE),
    "tenant": Run("tenant", TENANTRY_ENGINE, TENANT_SCHEMA),
}


@dataclass(frozen=True)
class Finished:
    run: Run
    results: Path
    log: Path
    seconds: float
    returncode: int


@contextlib.contextmanager
def suite_server() -> Iterator[PostgresServer]:
    """The server named by TENANTRY_TEST_DATABASE_URL, else an embedded one (removed after)."""
    url = os.environ.get(SERVER_URL_VARIABLE)
    server = server_from_url(url) if url else start_embedded_server()
    try:
        yield server
    finally:
        server.stop()  # leaves a server we did not start alone


class SuiteDatabases:
    """The databases ``default`` and ``other`` name (Django's test databases are made from
    them: ``test_<name>``). Names carry the process id, so two gates on one shared server do
    not collide."""

    def __init__(self, server: PostgresServer) -> None:
        self.server = server
        prefix = f"django_suite_{os.getpid()}"
        self.default, self.other = f"{prefix}_default", f"{prefix}_other"

    def __enter__(self) -> SuiteDatabases:
        for name in (self.default, self.other):
            self.server.create_database(name, exist_ok=True)
        self.test_collations = self._test_collations()
        return self

    def __exit__(self, *exc: object) -> None:
        for name in (self.default, self.other):
            self.server.drop_database(name)

    def settings(self, run: Run) -> dict[str, Any]:
        def entry(name: str) -> dict[str, Any]:
            params = {"NAME": name, "USER": self.server.user, "PASSWORD": self.server.password}
            params |= {"HOST": self.server.host, "PORT": str(self.server.port)}
            return {"ENGINE": run.engine, **params}

        return {"default": entry(self.default), "other": entry(self.other)}

    def _test_collations(self) -> dict[str, str] | None:
        """Replacements for Django's ICU test collations when the server has no ICU.

        Django's PostgreSQL features name "sv-x-icu" for the suite's models (model_fields,
        inspectdb): without ICU (the embedded build) their tables cannot even be created and
        the whole run dies in setup. POSIX is a libc collation every build has, different
        from the databases' default; the case-insensitive one has no substitute, so the
        tests wanting it skip themselves.
        """
        with self.server.connect() as connection:
            found = connection.execute("SELECT 1 FROM pg_collation WHERE collname = 'sv-x-icu'")
            if found.fetchone():
                return None
        return {"deterministic": "C", "non_default": "POSIX", "virtual": "POSIX"}


def run_suite(
    tests_dir: Path,
    run: Run,
    databases: SuiteDatabases,
    labels: Sequence[str],
    *,
    parallel: int,
    workdir: Path,
) -> Finished:
    results, log = workdir / f"{run.name}.jsonl", workdir / f"{run.name}.log"
    results.unlink(missing_ok=True)
    config = {
        "databases": databases.settings(run),
        "tenant": run.tenant,
        "test_collations": databases.test_collations,
    }
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SCRIPTS_DIR), env.get("PYTHONPATH")]))
    env[CONFIG_VARIABLE] = json.dumps(config)
    env[RESULTS_VARIABLE] = str(results)
    command = [sys.executable, "runtests.py", "--settings=django_suite.settings", "--noinput"]
    command += [f"--parallel={parallel}", *labels]
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as output:
        completed = subprocess.run(
            command, cwd=tests_dir, env=env, stdout=output, stderr=subprocess.STDOUT, check=False
        )
    return Finished(run, results, log, time.monotonic() - started, completed.returncode)
