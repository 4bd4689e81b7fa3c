"""Fixtures for tenantry_channels' suites: a real ASGI server, websockets to it, and
committed tenants it can see."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from postgres_harness import PostgresServer, free_port
from sandbox.customers.models import Domain, Tenant
from websockets.sync.client import ClientConnection, connect

from tenantry import SchemaDescriptor, tenant_context

STARTUP_SECONDS = 60.0


class AsgiServer:
    """``uvicorn sandbox.asgi:application`` on 127.0.0.1, one process, against the test
    database; everything it prints goes to a log file quoted in failure messages."""

    def __init__(self, database_url: str, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._log_file = log_path.open("wb")
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sandbox.settings",
            "TENANTRY_SANDBOX_DATABASE_URL": database_url,
        }
        command = [sys.executable, "-m", "uvicorn", "sandbox.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "on"]
        command += ["--log-level", "warning", "--no-access-log"]
        self.process = subprocess.Popen(
            command, stdout=self._log_file, stderr=subprocess.STDOUT, env=environment
        )
        try:
            self._wait_for_port()
        except BaseException:
            self.stop()
            raise

    def _wait_for_port(self) -> None:
        # With lifespan on, uvicorn listens only once Django is set up.
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"uvicorn exited with {self.process.returncode}:\n{self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        pytest.fail(f"uvicorn did not listen within {STARTUP_SECONDS}s:\n{self.log()}")

    def log(self) -> str:
        self._log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log_file.close()

    @contextlib.contextmanager
    def websocket(self, host: str, path: str) -> Iterator[ClientConnection]:
        """A websocket to ``path`` whose Host header is ``host:<port>``, as a browser's."""
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
        sock.settimeout(None)  # the client's own thread reads; timeouts are per call
        uri = f"ws://{host}:{self.port}{path}"
        with connect(uri, sock=sock, open_timeout=10, close_timeout=5) as websocket:
            yield websocket


@pytest.fixture(scope="module")
def asgi_server(
    django_db_setup: None, postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[AsgiServer]:
    """One server per module: it only needs the test database's name; tests' rows are
    committed (``transactional_db``) so its connections see them."""
    database_url = postgres_server.url(connection.settings_dict["NAME"])
    log_path = tmp_path_factory.mktemp("uvicorn") / "server.log"
    server = AsgiServer(database_url, log_path)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def server_log(asgi_server: AsgiServer) -> Callable[[], str]:
    return asgi_server.log


@pytest.fixture
def committed_tenant(transactional_db: None) -> Iterator[Callable[..., Tenant]]:
    """Create committed tenants with a domain (optionally in a folder) and notes; their
    schemas are dropped afterwards. Hosts are unique per test: the server caches hosts."""
    from sandbox.notes.models import Note

    created: list[Tenant] = []

    def make(prefix: str, notes: list[str], *, host: str | None = None, folder: str = "") -> Any:
        suffix = uuid.uuid4().hex[:8]
        tenant = Tenant(schema_name=f"{prefix}_{suffix}")
        tenant.save()
        created.append(tenant)
        # No underscores in hosts: Django (and so the router) refuses them.
        tenant.host = host or f"{prefix}-{suffix}.localhost"
        Domain.objects.create(tenant=tenant, domain=tenant.host, folder=folder)
        with tenant_context(tenant):
            Note.objects.bulk_create(Note(title=title) for title in notes)
        return tenant

    yield make
    connections.close_all()
    for tenant in created:
        tenant.delete(force_drop=True)


@pytest.fixture
def www_schema(transactional_db: None) -> Iterator[Any]:
    """The static tenant ``www``'s schema, created, migrated and committed; dropped after."""
    from tenantry_django.migration import migrate_schema
    from tenantry_django.schemas import create_schema, drop_schema

    www = SchemaDescriptor("www")  # the sandbox's static tenant, in the default database
    create_schema(www.schema_name, www.database)
    try:
        migrate_schema(www)
        yield www
    finally:
        drop_schema(www.schema_name, www.database)


@pytest.fixture(autouse=True)
def _fresh_resolver_caches() -> Iterator[None]:
    """Rolled-back rows send no signal: start and end every test with empty host caches."""
    from tenantry_django.routing import clear_caches

    clear_caches()
    yield
    clear_caches()
