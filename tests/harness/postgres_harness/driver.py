"""Driver-neutral connections for the harness and the tests' own (admin) connections.

The suites run with either PostgreSQL driver installed alone: psycopg 3 when it is
importable (as Django's backend chooses), else psycopg2. An :class:`AdminConnection` offers
what the tests need of both: ``execute(sql, params)`` returning a cursor (``fetchone``,
``fetchall``, ``description``, ``rowcount``, iteration), autocommit by default, and closing
when its ``with`` block ends (a psycopg2 connection's own ``with`` only ends a transaction).
Parameters use ``%s`` placeholders with either driver; without parameters the text is sent
as it is (``%`` needs no doubling).
"""

from __future__ import annotations

import contextlib
import importlib
import io
from collections.abc import Iterator, Sequence
from types import TracebackType
from typing import Any, Literal, Protocol

import pytest

DriverName = Literal["psycopg", "psycopg2"]

_driver: Any
_conninfo: Any  # the module with conninfo_to_dict/make_conninfo, or parse_dsn/make_dsn
try:
    _driver = importlib.import_module("psycopg")
    _conninfo = importlib.import_module("psycopg.conninfo")
    DRIVER: DriverName = "psycopg"
except ImportError:
    _driver = importlib.import_module("psycopg2")
    _conninfo = importlib.import_module("psycopg2.extensions")
    DRIVER = "psycopg2"

PSYCOPG2 = DRIVER == "psycopg2"
OperationalError: type[Exception] = _driver.OperationalError  # e.g. a refused connection


def psycopg3_only(reason: str) -> pytest.MarkDecorator:
    """Skip a test under psycopg2: ``reason`` names the psycopg 3 feature it needs."""
    return pytest.mark.skipif(PSYCOPG2, reason=f"psycopg 3 only: {reason}")


def psycopg2_only(reason: str) -> pytest.MarkDecorator:
    """Skip a test under psycopg 3: ``reason`` names the psycopg2 behaviour it covers."""
    return pytest.mark.skipif(not PSYCOPG2, reason=f"psycopg2 only: {reason}")


class AdminCursor(Protocol):
    """What either driver's cursor offers (DB-API)."""

    @property
    def description(self) -> Any: ...
    @property
    def rowcount(self) -> int: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class AdminConnection:
    """One connection of either driver; ``raw`` is the driver's own connection."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, query: str, params: Sequence[Any] | None = None) -> AdminCursor:
        """Run ``query`` and return its cursor, with its rows buffered (client side)."""
        if not PSYCOPG2:
            cursor: AdminCursor = self.raw.execute(query, params)
            return cursor
        cursor = self.raw.cursor()
        cursor.execute(query, params)  # type: ignore[attr-defined]
        return cursor

    @property
    def info(self) -> Any:
        """The driver's connection information (``host``, ``port``, ``backend_pid``, ...)."""
        return self.raw.info

    @property
    def closed(self) -> bool:
        return bool(self.raw.closed)

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> AdminConnection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self.raw.closed and not self.raw.autocommit:
                if kind is None:
                    self.raw.commit()
                else:
                    self.raw.rollback()
        finally:
            self.raw.close()


def quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL delimited identifier (the harness depends on no tenantry
    package; the tests' own names need nothing more)."""
    if not name or "\x00" in name:
        raise ValueError(f"not an identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def connect(conninfo: str, *, autocommit: bool = True, **options: Any) -> AdminConnection:
    """Connect with the installed driver (``options``: libpq parameters such as
    ``connect_timeout``)."""
    if PSYCOPG2:
        raw = _driver.connect(conninfo, **options)
        raw.autocommit = autocommit
    else:
        raw = _driver.connect(conninfo, autocommit=autocommit, **options)
    return AdminConnection(raw)


def conninfo_to_dict(conninfo: str) -> dict[str, Any]:
    """libpq parameters of a connection string or URL."""
    parse = _conninfo.parse_dsn if PSYCOPG2 else _conninfo.conninfo_to_dict
    return dict(parse(conninfo))


def make_conninfo(**parameters: Any) -> str:
    """A libpq connection string from parameters (None values left out)."""
    make = _conninfo.make_dsn if PSYCOPG2 else _conninfo.make_conninfo
    return str(make(**{k: v for k, v in parameters.items() if v is not None}))


@contextlib.contextmanager
def recording_driver_executes() -> Iterator[list[str]]:
    """Every text handed to a driver cursor's ``execute`` meanwhile (parameters travel
    apart), in order: one entry per round trip, the search-path statements tenantry sends on
    their own or in front of a query included.

    psycopg 3: ``psycopg.Cursor.execute`` (Django's client-side cursors and tenantry's own
    path statements; not the DECLARE of a server-side cursor). psycopg2: its C cursor cannot be
    patched, so Django's connections (those already open, and those opened meanwhile) make
    their cursors of a recording subclass (named ones included): only cursors made
    meanwhile record.
    """
    sent: list[str] = []
    with pytest.MonkeyPatch.context() as patch:
        if not PSYCOPG2:
            real_execute = _driver.Cursor.execute

            def execute(self: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
                sent.append(query if isinstance(query, str) else query.as_string(self))
                return real_execute(self, query, params, **kwargs)

            patch.setattr(_driver.Cursor, "execute", execute)
        else:
            from django.db import connections
            from django.db.backends.postgresql import base

            class RecordingCursor(_driver.extensions.cursor):  # type: ignore[misc]
                def execute(self, query: Any, params: Any = None) -> Any:
                    text = query if isinstance(query, str) else query.as_string(self)
                    sent.append(text.decode() if isinstance(text, bytes) else text)
                    return super().execute(query, params)

            patch.setattr(base, "Cursor", RecordingCursor)  # read when a connection opens
            for wrapper in connections.all(initialized_only=True):
                if wrapper.connection is not None:
                    patch.setattr(wrapper.connection, "cursor_factory", RecordingCursor)
        yield sent


def copy_rows(cursor: Any, statement: str) -> list[tuple[str, ...]]:
    """The rows a ``COPY ... TO STDOUT`` statement writes, as text columns, through a
    (Django or driver) cursor of either driver: psycopg 3's ``copy()``, psycopg2's
    ``copy_expert()``. (Tab-separated text without escapes: the tests' own simple values.)"""
    if not PSYCOPG2:
        with cursor.copy(statement) as copy:
            return [tuple(row) for row in copy.rows()]
    buffer = io.StringIO()
    cursor.copy_expert(statement, buffer)
    return [tuple(line.split("\t")) for line in buffer.getvalue().splitlines()]
