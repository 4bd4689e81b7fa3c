"""Cursor wrappers that point the connection at the active tenant before every statement.

The check is a ContextVar read and a string comparison. When the path must be (re)sent, the
statement that sends it travels in the same round trip as the query whenever the driver
cursor allows several statements and the statement reads or writes data: ``<path>;
<query>``. psycopg 3's client-side binding cursor (Django's default) then moves on to the
query's result with ``nextset()``; psycopg2's client-side cursor (any unnamed one) keeps only
the last statement's result and row count, the query's. Otherwise (DDL, server-side (named)
cursors, server-side binding, executemany, callproc, COPY) it costs one round trip first.

Everything a user can observe stays Django's: the broken-transaction check comes before any
path statement, savepoints go through the wrappers (so ``execute_wrapper``, query counts and
logs see them), and logs show the user's query without the path in front of it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import import_module
from typing import Any, Protocol

from django.db.utils import ProgrammingError

from tenantry_django.postgresql._search_path import SearchPathState, is_data_statement

__all__ = ["SearchPathCursorMixin", "runs_outside_transactions"]


def _driver_class(module: str, name: str) -> Any:
    """A class of a driver, or ``()`` (no instance of it) when that driver is not installed:
    either one may be installed alone."""
    try:
        return getattr(import_module(module), name)
    except ImportError:
        return ()


_NextsetCursor = _driver_class("psycopg", "ClientCursor")
_Psycopg2Cursor = _driver_class("psycopg2.extensions", "cursor")


# Only plain data statements (``is_data_statement``) are batched: two statements in one
# simple query run as one implicit transaction, which e.g. CREATE DATABASE or VACUUM refuse.
# Transaction control resolves no names, and may run in an aborted transaction where
# setting the path would fail: it never carries the path.
_TRANSACTION_CONTROL_HEADS = ("SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN", "END")
_OUTSIDE_TRANSACTIONS = re.compile(
    r"\s*(VACUUM|(CREATE|DROP|ALTER)\s+(DATABASE|TABLESPACE|SUBSCRIPTION)|ALTER\s+SYSTEM"
    r"|(CREATE|DROP)\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|REINDEX\b.*\bCONCURRENTLY"
    r"|CLUSTER\s*;?\s*$)",
    re.IGNORECASE | re.DOTALL,
)


def _batching(cursor: Any) -> bool | None:
    """How ``cursor`` runs ``<path>; <query>``: True when it must then move to the query's
    result with ``nextset()`` (psycopg 3), False when it keeps the last result by itself
    (psycopg2), None when it cannot run several statements at once."""
    if isinstance(cursor, _NextsetCursor):
        return True
    if isinstance(cursor, _Psycopg2Cursor) and cursor.name is None:  # named: server-side
        return False
    return None


def _transaction_control(sql: Any) -> bool:
    return isinstance(sql, str) and sql.lstrip()[:9].upper().startswith(_TRANSACTION_CONTROL_HEADS)


def runs_outside_transactions(sql: Any) -> bool:
    """Whether PostgreSQL refuses ``sql`` inside a transaction block."""
    return bool(_OUTSIDE_TRANSACTIONS.match(str(sql)))


class _SearchPathConnection(Protocol):
    """What the cursors need of the connection wrapper (``base.DatabaseWrapper``)."""

    connection: Any  # the driver's
    tenantry_search_path: SearchPathState

    def tenantry_search_path_for(self, sql: Any) -> AbstractContextManager[None]: ...
    def validate_no_broken_transaction(self) -> None: ...

    @property
    def wrap_database_errors(self) -> Any: ...


class SearchPathCursorMixin:
    db: _SearchPathConnection
    cursor: Any

    def _execute(self, sql: Any, params: Any, *ignored: Any) -> Any:
        # Django's execute() calls this (through any execute_wrapper): the one frame tenantry
        # adds to a statement, so the steady state (nothing to send) is written out here.
        db = self.db
        path = db.tenantry_search_path
        try:
            pending = path.statement_to_send(db.connection, sql)
            if pending is None or _transaction_control(sql):
                return super()._execute(sql, params, *ignored)  # type: ignore[misc]
            return self._execute_with_path(pending, sql, params, *ignored)
        except BaseException as error:
            # The transaction may be aborted or the statement may have changed the path:
            # trust nothing we remembered (and check the schema if a name was not found).
            missing = self._missing_schema_after(error)
            if missing is not None:
                raise missing from error
            raise

    def _execute_with_path(self, pending: str, sql: Any, params: Any, *ignored: Any) -> Any:
        """Run ``sql`` after the path statement ``pending``: in its round trip if it can."""
        db = self.db
        path = db.tenantry_search_path
        db.validate_no_broken_transaction()  # Django's error, before anything is sent
        nextset = _batching(self.cursor)
        if nextset is None or not is_data_statement(sql):
            with db.tenantry_search_path_for(sql):
                return super()._execute(sql, params, *ignored)  # type: ignore[misc]
        prefix = f"{pending};\n"
        path.sent_prefix = prefix
        # try/except, not path.reporting_missing_schema(): on the path of every tenant switch,
        # a generator-based context manager costs about a microsecond more.
        try:
            with db.wrap_database_errors:
                if params is None:
                    result = self.cursor.execute(prefix + sql)
                else:  # the path statement must survive %-formatting of the parameters
                    result = self.cursor.execute(prefix.replace("%", "%%") + sql, params)
                if nextset:  # past the path statement, onto the query's own result
                    self.cursor.nextset()
        except ProgrammingError as error:
            missing = path.missing_schema(error)
            if missing is None:
                raise
            raise missing from error
        path.mark_applied()
        return result

    def _executemany(self, sql: Any, param_list: Any, *ignored: Any) -> Any:
        self.db.validate_no_broken_transaction()
        with self.db.tenantry_search_path_for(sql):
            return super()._executemany(sql, param_list, *ignored)  # type: ignore[misc]

    def _missing_schema_after(self, error: BaseException) -> Exception | None:
        """``TenantSchemaMissingError`` if ``error`` came of the tenant's schema being gone
        (checked at once when no transaction is open, else by the next statement)."""
        db = self.db
        path = db.tenantry_search_path
        check = path.forget_after_error(error, db.connection)
        if check is None:
            return None
        try:
            with db.wrap_database_errors, db.connection.cursor() as cursor:
                cursor.execute(check)
        except ProgrammingError as checked:
            return path.missing_schema(checked)
        except Exception:
            return None
        return None

    def executemany(self, sql: Any, param_list: Any) -> Any:
        try:
            return super().executemany(sql, param_list)  # type: ignore[misc]
        except BaseException:
            self.db.tenantry_search_path.forget()
            raise

    def callproc(self, procname: str, params: Any = None, kparams: Any = None) -> Any:
        self.db.validate_no_broken_transaction()
        try:
            with self.db.tenantry_search_path_for(procname):
                return super().callproc(procname, params, kparams)  # type: ignore[misc]
        except BaseException:
            self.db.tenantry_search_path.forget()
            raise

    # COPY goes straight to the driver cursor (through Django's debug wrapper when DEBUG logs
    # queries, else through CursorWrapper.__getattr__): it is pointed at the tenant here.

    def copy(self, statement: Any, *args: Any, **kwargs: Any) -> Any:
        # psycopg 3: the COPY runs when the returned context is entered.
        parent = self._copy_method("copy")
        self.db.validate_no_broken_transaction()
        return self._copy_in_tenant(parent, statement, *args, **kwargs)

    def copy_expert(self, sql: Any, file: Any, *args: Any, **kwargs: Any) -> Any:
        # psycopg2: runs at once, like the two below.
        parent = self._copy_method("copy_expert")
        return self._copy_now(sql, parent, sql, file, *args, **kwargs)

    def copy_from(self, file: Any, table: str, *args: Any, **kwargs: Any) -> Any:
        parent = self._copy_method("copy_from")
        return self._copy_now(f"COPY {table} FROM STDIN", parent, file, table, *args, **kwargs)

    def copy_to(self, file: Any, table: str, *args: Any, **kwargs: Any) -> Any:
        parent = self._copy_method("copy_to")
        return self._copy_now(f"COPY {table} TO STDOUT", parent, file, table, *args, **kwargs)

    def _copy_method(self, name: str) -> Any:
        # The driver's method first: a driver without it raises AttributeError, nothing runs.
        driver_method = getattr(self.cursor, name)
        return getattr(super(), name, None) or driver_method

    def _copy_now(self, statement: Any, parent: Any, *args: Any, **kwargs: Any) -> Any:
        self.db.validate_no_broken_transaction()
        try:
            with self.db.tenantry_search_path_for(statement):
                return parent(*args, **kwargs)
        except BaseException:
            self.db.tenantry_search_path.forget()
            raise

    @contextmanager
    def _copy_in_tenant(
        self, parent: Any, statement: Any, *args: Any, **kwargs: Any
    ) -> Iterator[Any]:
        try:
            with (
                self.db.tenantry_search_path_for(statement),
                parent(statement, *args, **kwargs) as copy,
            ):
                yield copy
        except BaseException:
            self.db.tenantry_search_path.forget()
            raise
