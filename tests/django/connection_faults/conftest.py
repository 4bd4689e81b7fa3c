"""Fixtures of the fault suites: marked databases (``sandbox.faults``) on the session's
server or on a server of a module's own, and Django pools closed afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from postgres_harness import PostgresServer, start_embedded_server
from sandbox.faults import Place, marked_place

from tenantry_django.postgresql.base import DatabaseWrapper


@pytest.fixture(scope="module")
def session_place(postgres_server: PostgresServer) -> Iterator[Place]:
    """A marked database on the session's server."""
    yield from marked_place(postgres_server)


@pytest.fixture(scope="module")
def private_place() -> Iterator[Place]:
    """A marked database on a server of this module's own, which the tests may restart."""
    server = start_embedded_server()
    try:
        yield from marked_place(server)
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _database_access(django_db_blocker: Any) -> Iterator[None]:
    # The wrappers here reach databases of their own, never pytest-django's test database.
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def closing_pool() -> Iterator[Callable[[Callable[[], DatabaseWrapper]], None]]:
    """Registers a wrapper factory whose Django pool (one per alias) is closed afterwards."""
    factories: list[Callable[[], DatabaseWrapper]] = []
    yield factories.append
    for make_wrapper in factories:
        make_wrapper().close_pool()
