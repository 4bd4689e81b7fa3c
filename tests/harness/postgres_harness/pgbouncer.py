"""A real pgbouncer in front of the session's PostgreSQL, for the pooler suites.

The binary is ``/usr/sbin/pgbouncer`` (Debian's ``pgbouncer`` package) unless
``TENANTRY_TEST_PGBOUNCER`` names another. It listens on 127.0.0.1 only, forwards every
database name to the server (so pytest-django's test database works), trusts its clients,
runs from a temporary directory (as an unprivileged user under root: pgbouncer refuses root)
and is stopped and removed afterwards.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from postgres_harness.driver import OperationalError, connect
from postgres_harness.loopback import free_port
from postgres_harness.processes import stop_process
from postgres_harness.server import PostgresServer, _prepare_root_run

PGBOUNCER_VARIABLE = "TENANTRY_TEST_PGBOUNCER"
_DEFAULT_BINARY = "/usr/sbin/pgbouncer"
POOL_MODES = ("session", "transaction")


class PgBouncerNotFoundError(RuntimeError):
    """No pgbouncer binary where the harness looks."""


def _executable() -> str:
    path = os.environ.get(PGBOUNCER_VARIABLE) or _DEFAULT_BINARY
    if os.access(path, os.X_OK):
        return path
    raise PgBouncerNotFoundError(
        f"No pgbouncer at {path}: install it (Debian/Ubuntu: apt-get install pgbouncer) or "
        f"set {PGBOUNCER_VARIABLE} to the binary."
    )


def _quoted(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


@dataclass
class PgBouncer:
    host: str
    port: int
    pool_mode: str
    pool_size: int
    user: str
    password: str = ""
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _directory: Path | None = field(default=None, repr=False)

    def url(self, database: str) -> str:
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        return f"postgresql://{credentials}@{self.host}:{self.port}/{quote(database, safe='')}"

    def database_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """A copy of a Django ``DATABASES`` entry that goes through this pgbouncer."""
        return {
            **settings,
            "OPTIONS": dict(settings.get("OPTIONS", {})),
            "HOST": self.host,
            "PORT": str(self.port),
        }

    def server_pids(self, database: str) -> set[int]:
        """The backend pids of this pgbouncer's server connections to ``database`` (from its
        admin console's ``SHOW SERVERS``)."""
        with connect(self.url("pgbouncer")) as admin:
            # No parameters: the console speaks simple queries only.
            cursor = admin.execute("SHOW SERVERS")
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        return {int(row["remote_pid"]) for row in rows if row["database"] == database}

    def log(self) -> str:
        if self._directory is None:
            return ""
        parts = [
            (self._directory / name).read_text(errors="replace")
            for name in ("console.log", "pgbouncer.log")
            if (self._directory / name).exists()
        ]
        return "\n".join(parts)

    def stop(self) -> None:
        stop_process(self._process, self._directory)
        self._process = None
        self._directory = None


def _config(server: PostgresServer, directory: Path, port: int, mode: str, size: int) -> str:
    return f"""\
[databases]
* = host={server.host} port={server.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
admin_users = {server.user}
pool_mode = {mode}
default_pool_size = {size}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 500
ignore_startup_parameters = extra_float_digits,options
query_wait_timeout = 30
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
"""


def start_pgbouncer(server: PostgresServer, pool_mode: str, pool_size: int = 3) -> PgBouncer:
    """Start pgbouncer in ``pool_mode`` with ``pool_size`` server connections per database."""
    if pool_mode not in POOL_MODES:
        raise ValueError(f"pool_mode must be one of {POOL_MODES}, not {pool_mode!r}")
    executable = _executable()
    directory = Path(tempfile.mkdtemp(prefix="tenantry-pgbouncer-")).resolve()
    port = free_port()
    (directory / "users.txt").write_text(f"{_quoted(server.user)} {_quoted(server.password)}\n")
    config = directory / "pgbouncer.ini"
    config.write_text(_config(server, directory, port, pool_mode, pool_size))
    run_as = None
    if os.geteuid() == 0:
        run_as = _prepare_root_run(directory)
        for path in directory.iterdir():
            shutil.chown(path, user=run_as, group=run_as)
    with (directory / "console.log").open("wb") as console:
        process = subprocess.Popen(
            [executable, str(config)], stdout=console, stderr=subprocess.STDOUT, user=run_as
        )
    bouncer = PgBouncer(
        "127.0.0.1", port, pool_mode, pool_size, server.user, server.password, process, directory
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            log = bouncer.log()
            bouncer.stop()
            raise RuntimeError(f"pgbouncer exited with {process.returncode}:\n{log}")
        try:
            with connect(bouncer.url(server.maintenance_db), connect_timeout=2) as probe:
                probe.execute("SELECT 1")
            return bouncer
        except OperationalError as error:
            if time.monotonic() > deadline:
                log = bouncer.log()
                bouncer.stop()
                raise RuntimeError(
                    f"pgbouncer did not accept connections within 30 s ({error}):\n{log}"
                ) from error
            time.sleep(0.05)
