"""``DatabaseWrapper`` for ``ENGINE = "tenantry_django.postgresql"``.

Wraps the backend named by ``TENANTRY_ORIGINAL_BACKEND`` (default: Django's PostgreSQL
backend, so PostGIS works too) and keeps the connection's search path on the active tenant.

The connection remembers the statement it last applied. Before each statement the wanted
one is compared with it; only a difference costs a round trip. What was applied is forgotten
whenever the server may have undone it or we cannot be sure: rollback, savepoint rollback,
close, (re)connect and any error.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.db.backends.utils import CursorWrapper

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django._conf import original_backend
from tenantry_django.postgresql._cursors import SearchPathCursorMixin
from tenantry_django.postgresql._search_path import (
    checked_set_search_path_statement,
    set_search_path_statement,
)
from tenantry_django.postgresql.introspection import TenantIntrospection
from tenantry_django.postgresql.operations import TenantOperations

_original: Any = import_module(f"{original_backend()}.base")
_OriginalDatabaseWrapper: Any = _original.DatabaseWrapper
_OriginalCursorDebugWrapper: Any = _original.CursorDebugWrapper


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
        self._tenantry_applied: str | None = None
        self._tenantry_verified: set[str] = set()  # schemas seen to exist on this connection
        self._tenantry_pending: tuple[str, str] | None = None

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
        statement = set_search_path_statement(schema)
        if statement == self._tenantry_applied:
            return None
        self._tenantry_pending = (schema, statement)
        if schema == PUBLIC_SCHEMA or schema in self._tenantry_verified:
            return statement
        return checked_set_search_path_statement(schema)

    def tenantry_mark_applied(self, statement: str) -> None:
        """The statement from tenantry_pending_statement() went through."""
        assert self._tenantry_pending is not None
        schema, self._tenantry_applied = self._tenantry_pending
        self._tenantry_verified.add(schema)

    def tenantry_forget_schema(self, schema: str) -> None:
        """``schema`` was dropped: check it again before pointing at it."""
        self._tenantry_verified.discard(schema)
        self._tenantry_applied = None

    def tenantry_apply_search_path(self) -> None:
        """Point the connection at the active tenant now, in a round trip of its own."""
        statement = self.tenantry_pending_statement()
        if statement is None:
            return
        self._tenantry_applied = None
        self._raw_execute(statement)
        self.tenantry_mark_applied(statement)

    def tenantry_forget_search_path(self) -> None:
        self._tenantry_applied = None

    # -- moments when the server's path may differ from what we remember ----------------

    def get_new_connection(self, conn_params: Any) -> Any:
        self._tenantry_applied = None
        self._tenantry_verified = set()
        return super().get_new_connection(conn_params)

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

    # Savepoint statements do not depend on the search path, and may run in an aborted
    # transaction where setting the path would fail: send them without pointing first.
    def _raw_execute(self, statement: str) -> None:
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(statement)

    def _savepoint(self, sid: str) -> None:
        self._raw_execute(self.ops.savepoint_create_sql(sid))

    def _savepoint_commit(self, sid: str) -> None:
        self._raw_execute(self.ops.savepoint_commit_sql(sid))

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            self._raw_execute(self.ops.savepoint_rollback_sql(sid))
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
