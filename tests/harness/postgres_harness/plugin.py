"""pytest plugin: one PostgreSQL server per test session, gone afterwards.

The server must exist before pytest-django imports the sandbox settings, which happens while
initial conftests load; a hook wrapper there runs before every plugin's implementation.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from postgres_harness.driver import connect
from postgres_harness.pgbouncer import PgBouncer, PgBouncerNotFoundError, start_pgbouncer
from postgres_harness.redis_server import REDIS_URL_VARIABLE, start_redis_server
from postgres_harness.server import (
    SERVER_URL_VARIABLE,
    PostgresServer,
    server_from_url,
    start_embedded_server,
)

SANDBOX_URL_VARIABLE = "TENANTRY_SANDBOX_DATABASE_URL"
# Set (CI does) to fail rather than skip the pooler suites when pgbouncer is not installed.
REQUIRE_PGBOUNCER_VARIABLE = "TENANTRY_TEST_REQUIRE_PGBOUNCER"
_server: PostgresServer | None = None


def _ensure_server() -> PostgresServer:
    global _server
    if _server is None:
        url = os.environ.get(SERVER_URL_VARIABLE)
        _server = server_from_url(url) if url else start_embedded_server()
    return _server


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[None, None, None]:
    server = _ensure_server()
    # A unique name per session: pytest-django creates "test_<name>" and drops it at the end,
    # so concurrent runs against one shared server never meet.
    os.environ[SANDBOX_URL_VARIABLE] = server.url(f"tenantry_{uuid.uuid4().hex[:12]}")
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    global _server
    if _server is not None:
        _server.stop()
        _server = None


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """The server the whole session runs against."""
    return _ensure_server()


@pytest.fixture(scope="session")
def fresh_database(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty database, dropped when the session ends (no Django needed)."""
    name = f"tenantry_raw_{uuid.uuid4().hex[:12]}"
    postgres_server.create_database(name)
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.drop_database(name)


@pytest.fixture
def raw_connection(fresh_database: str) -> Iterator[Any]:
    """An autocommit connection (:class:`~postgres_harness.driver.AdminConnection`) to
    :func:`fresh_database`."""
    with connect(fresh_database) as connection:
        yield connection


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real Redis for the session: ``TENANTRY_TEST_REDIS_URL``, or one started on loopback."""
    url = os.environ.get(REDIS_URL_VARIABLE)
    if url:
        yield url
        return
    server = start_redis_server()
    try:
        yield server.url
    finally:
        server.stop()


def _pgbouncer(server: PostgresServer, pool_mode: str) -> Iterator[PgBouncer]:
    try:
        bouncer = start_pgbouncer(server, pool_mode)
    except PgBouncerNotFoundError as missing:
        if os.environ.get(REQUIRE_PGBOUNCER_VARIABLE):
            raise
        pytest.skip(str(missing))
    try:
        yield bouncer
    finally:
        bouncer.stop()


@pytest.fixture(scope="session")
def pgbouncer_transaction(postgres_server: PostgresServer) -> Iterator[PgBouncer]:
    """A pgbouncer in ``pool_mode = transaction`` (3 server connections per database)."""
    yield from _pgbouncer(postgres_server, "transaction")


@pytest.fixture(scope="session")
def pgbouncer_session(postgres_server: PostgresServer) -> Iterator[PgBouncer]:
    """A pgbouncer in ``pool_mode = session`` (3 server connections per database)."""
    yield from _pgbouncer(postgres_server, "session")
