"""``DatabaseWrapper`` for ``ENGINE = "tenantry_django.postgresql"``.

Wraps the backend named by ``TENANTRY_ORIGINAL_BACKEND`` (default: Django's PostgreSQL
backend, so PostGIS works too) and keeps the connection's search path on the active tenant.
Everything else is the wrapped backend's own behaviour.

Session mode (the default): the connection remembers the path statement it last applied;
only a difference costs a statement. What was applied is forgotten whenever the server may
have undone it or we cannot be sure: rollback, savepoint rollback, close, (re)connect and any
error. Whether the tenant's schema exists is checked the first time a connection points at
it, and again at every request boundary (Django's ``close_old_connections``), after any
rollback and on every new connection.

Transaction pooling (``TENANTRY_TRANSACTION_POOLING``): consecutive transactions may run on
different server sessions, so every transaction carries its own transaction-local path with
its first statement (checked as above), and nothing session-level is ever set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib import import_module
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.db.utils import ProgrammingError

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django._conf import original_backend, transaction_pooling
from tenantry_django.errors import TenantSchemaMissingError, TransactionPoolingError
from tenantry_django.postgresql._cursors import SearchPathCursorMixin, runs_outside_transactions
from tenantry_django.postgresql._search_path import (
    checked_local_search_path_statement,
    checked_set_search_path_statement,
    local_search_path_statement,
    schema_check_statement,
    set_search_path_statement,
)
from tenantry_django.postgresql.introspection import TenantIntrospection
from tenantry_django.postgresql.operations import TenantOperations

_original: Any = import_module(f"{original_backend()}.base")
_OriginalDatabaseWrapper: Any = _original.DatabaseWrapper
_OriginalCursorDebugWrapper: Any = _original.CursorDebugWrapper
_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction open (psycopg 3 and psycopg2 alike)
_INVALID_SCHEMA_NAME = "3F000"


def _transaction_idle(connection: Any) -> bool:
    pgconn = getattr(connection, "pgconn", None)  # psycopg 3; psycopg2 has connection.info
    status = pgconn.transaction_status if pgconn is not None else connection.info.transaction_status
    return bool(status == _IDLE)


class TenantCursorWrapper(SearchPathCursorMixin, CursorWrapper):
    pass


class TenantCursorDebugWrapper(SearchPathCursorMixin, _OriginalCursorDebugWrapper):
    pass


class DatabaseWrapper(_OriginalDatabaseWrapper):
    introspection_class = type(
        "DatabaseIntrospection",
        (TenantIntrospection, _OriginalDatabaseWrapper.introspection_class),
        {},
    )
    ops_class = type(
        "DatabaseOperations", (TenantOperations, _OriginalDatabaseWrapper.ops_class), {}
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # What the server has now (session mode), or has in this transaction (pooling).
        self._tenantry_applied: str | None = None
        self._tenantry_verified: set[str] = set()  # schemas seen to exist since a boundary
        self._tenantry_pending: tuple[str, str] | None = None  # (schema, what applied becomes)
        self._tenantry_pooled = False
        # The path statement sent in front of the last batched query, kept out of query logs.
        self.tenantry_sent_prefix: str | None = None

    # -- the search path -------------------------------------------------------------

    def tenantry_schema(self) -> str:
        """The schema this connection should use now: the active tenant's, if it lives here."""
        tenant = get_current_tenant()
        if tenant is None or tenant.database != self.alias:
            return PUBLIC_SCHEMA
        return tenant.schema_name

    def tenantry_pending_statement(self) -> str | None:
        """The statement to send before the next one, or None when the path is right."""
        schema = self.tenantry_schema()
        if self._tenantry_pooled:
            if _transaction_idle(self.connection):  # the next statement starts a transaction
                self._tenantry_applied = None
            statement = local_search_path_statement(schema)
            checked = checked_local_search_path_statement
        else:
            statement = set_search_path_statement(schema)
            checked = checked_set_search_path_statement
        verified = schema == PUBLIC_SCHEMA or schema in self._tenantry_verified
        if statement == self._tenantry_applied:
            if verified:
                return None
            self._tenantry_pending = (schema, statement)
            return schema_check_statement(schema)  # right path, existence not checked lately
        self._tenantry_pending = (schema, statement)
        return statement if verified else checked(schema)

    def tenantry_mark_applied(self) -> None:
        """The statement from tenantry_pending_statement() went through."""
        assert self._tenantry_pending is not None
        schema, self._tenantry_applied = self._tenantry_pending
        self._tenantry_verified.add(schema)

    def tenantry_forget_schema(self, schema: str) -> None:
        """``schema`` was dropped: check it again before pointing at it."""
        self._tenantry_verified.discard(schema)
        self._tenantry_applied = None

    def tenantry_forget_search_path(self) -> None:
        self._tenantry_applied = None

    def tenantry_missing_schema(self, error: BaseException) -> TenantSchemaMissingError | None:
        """The clear error to raise instead of ``error`` when it says the tenant's schema is
        missing (raised by the path statement's check, or by the statement itself)."""
        if not isinstance(error, ProgrammingError) or self._tenantry_pending is None:
            return None
        schema = self._tenantry_pending[0]
        cause = error.__cause__
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        # The message is in the server's language; the name appears in any of them.
        if sqlstate != _INVALID_SCHEMA_NAME or schema not in str(error):
            return None
        return TenantSchemaMissingError(
            f'The schema "{schema}" of tenant {get_current_tenant()!r} does not exist in '
            f'database {self.alias!r} (dropped, or never created): schema "{schema}" does '
            "not exist. Nothing ran; tenantry never falls back to public."
        )

    def tenantry_apply_search_path(self) -> None:
        """Point the connection at the active tenant now, in a round trip of its own."""
        statement = self.tenantry_pending_statement()
        if statement is None:
            return
        self._tenantry_applied = None
        try:
            self._tenantry_raw_execute(statement)
        except ProgrammingError as error:
            missing = self.tenantry_missing_schema(error)
            if missing is not None:
                raise missing from error
            raise
        self.tenantry_mark_applied()

    @contextmanager
    def tenantry_search_path_for(self, sql: Any) -> Iterator[None]:
        """Point at the active tenant for a statement that cannot carry the path with it.

        Under transaction pooling an autocommit statement is a transaction of its own, which
        a pooler may hand to any server session: the path and the statement then share an
        explicit transaction. A statement PostgreSQL refuses inside one (VACUUM, CREATE
        INDEX CONCURRENTLY, ...) cannot carry a tenant's path at all.
        """
        if not (self._tenantry_pooled and self.connection.autocommit):
            self.tenantry_apply_search_path()
            yield
            return
        if runs_outside_transactions(sql):
            schema = self.tenantry_schema()
            if schema != PUBLIC_SCHEMA:
                raise TransactionPoolingError(
                    f"{str(sql).split(None, 3)[:3]} cannot run inside a transaction, so under "
                    f"TENANTRY_TRANSACTION_POOLING it cannot carry the search path of tenant "
                    f"{get_current_tenant()!r} (database {self.alias!r}). Run it over a direct "
                    "connection (an alias without transaction pooling), or schema-qualify it "
                    "and run it with no tenant active."
                )
            yield  # no tenant: the server session's own default path, never a tenant's
            return
        self._tenantry_raw_execute("BEGIN")
        try:
            self.tenantry_apply_search_path()
            yield
        except BaseException:
            self._tenantry_applied = None
            with suppress(Exception):  # a broken connection has no transaction left to end
                self._tenantry_raw_execute("ROLLBACK")
            raise
        self._tenantry_raw_execute("COMMIT")
        self._tenantry_applied = None

    def _tenantry_raw_execute(self, statement: str) -> None:
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(statement)

    # -- moments when the server's path may differ from what we remember ----------------

    def get_new_connection(self, conn_params: Any) -> Any:
        self._tenantry_applied = None
        self._tenantry_verified = set()
        self._tenantry_pooled = transaction_pooling(self.alias)
        return super().get_new_connection(conn_params)

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this when every request starts and ends (Celery around every task):
        # the first statement of the next one checks again, in its round trip, that the
        # tenant's schema still exists, so a schema another process dropped fails loudly
        # instead of resolving names in public.
        self._tenantry_verified.clear()
        super().close_if_unusable_or_obsolete()

    def _rollback(self) -> None:
        # A schema created in the rolled-back transaction is gone: check existence again.
        self._tenantry_applied = None
        self._tenantry_verified = set()
        super()._rollback()

    def _commit(self) -> None:
        try:
            super()._commit()
        except BaseException:
            self._tenantry_applied = None  # a failed commit is a rollback
            self._tenantry_verified = set()
            raise

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self._tenantry_applied = None
            self._tenantry_verified = set()

    def _close(self) -> None:
        self._tenantry_applied = None
        super()._close()

    # -- cursors -------------------------------------------------------------------------

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        return TenantCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> CursorWrapper:
        return TenantCursorDebugWrapper(cursor, self)
