"""Connections of the benchmarks' own (monitoring, setup, verification) with either driver.

The driver is the one Django's backend uses: psycopg 3 when it is importable, else psycopg2
(an environment measuring psycopg2 must not have psycopg 3). ``Connection.execute`` takes
``%s`` or ``%(name)s`` parameters with both and returns the cursor, rows buffered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, Protocol

try:
    import psycopg as _driver

    PSYCOPG2 = False
except ImportError:
    import psycopg2 as _driver  # type: ignore[no-redef]

    PSYCOPG2 = True


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection:
    """One driver connection; autocommit unless opened with ``autocommit=False``."""

    def __init__(self, url: str, *, autocommit: bool = True) -> None:
        if PSYCOPG2:
            self.raw = _driver.connect(url)
            self.raw.autocommit = autocommit
        else:
            self.raw = _driver.connect(url, autocommit=autocommit)

    def execute(
        self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None
    ) -> Cursor:
        if not PSYCOPG2:
            return self.raw.execute(query, params)  # type: ignore[no-any-return]
        cursor = self.raw.cursor()
        cursor.execute(query, params)
        return cursor  # type: ignore[no-any-return]

    def commit(self) -> None:
        self.raw.commit()

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> Connection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self.raw.autocommit:
                if kind is None:
                    self.raw.commit()
                else:
                    self.raw.rollback()
        finally:
            self.raw.close()


def connect(url: str, *, autocommit: bool = True) -> Connection:
    return Connection(url, autocommit=autocommit)


def quote_identifier(name: str) -> str:
    """``name`` as a PostgreSQL delimited identifier."""
    if not name or "\x00" in name:
        raise ValueError(f"not an identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'
