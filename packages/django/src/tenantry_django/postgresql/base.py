"""``DatabaseWrapper`` for ``ENGINE = "tenantry_django.postgresql"``.

Wraps the backend named by ``TENANTRY_ORIGINAL_BACKEND`` (default: Django's PostgreSQL
backend, so PostGIS works too) and keeps the connection's search path on the active tenant.
Everything else is the wrapped backend's own behaviour.

What the server's path is and what to send next is the connection's
``tenantry_search_path`` (a ``SearchPathState``, see ``_search_path``). The wrapper tells it
about the moments Django sees (connect, request boundary, rollback, savepoint rollback,
failed commit, close) and sends the path in a round trip of its own for the statements that
cannot carry it (``tenantry_search_path_for``); the cursors send it with the query otherwise
(``_cursors``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from importlib import import_module
from typing import Any

from django.db.backends.utils import CursorWrapper

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django.conf import get_settings
from tenantry_django.errors import TransactionPoolingError
from tenantry_django.postgresql import _recycling  # tenantry recycling
from tenantry_django.postgresql._cursors import SearchPathCursorMixin, runs_outside_transactions
from tenantry_django.postgresql._search_path import SearchPathState
from tenantry_django.postgresql.introspection import TenantIntrospection
from tenantry_django.postgresql.operations import TenantOperations

__all__ = ["DatabaseWrapper", "TenantCursorDebugWrapper", "TenantCursorWrapper"]

_original: Any = import_module(f"{get_settings().original_backend}.base")
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
        # (Nothing in it refers back to the wrapper: a closed wrapper is freed without the
        # garbage collector, as Django's own tests require.)
        self.tenantry_search_path = SearchPathState(self.alias)
        # TENANTRY_RECYCLE_AFTER_SCHEMAS for this alias, and the settings object it is from.
        self._tenantry_recycle_settings: object = None
        self._tenantry_recycle_limit: int | None = None

    # -- the search path -------------------------------------------------------------

    def tenantry_forget_schema(self, schema: str) -> None:
        """``schema`` was dropped: check that it exists before pointing at it again."""
        self.tenantry_search_path.forget_schema(schema)

    def tenantry_apply_search_path(self) -> None:
        """Point the connection at the active tenant now, in a round trip of its own."""
        path = self.tenantry_search_path
        statement = path.statement_to_send(self.connection)
        if statement is None:
            return
        path.forget()  # unknown until the statement went through
        with path.reporting_missing_schema():
            self._tenantry_raw_execute(statement)
        path.mark_applied()

    @contextmanager
    def tenantry_search_path_for(self, sql: Any) -> Iterator[None]:
        """Point at the active tenant for a statement that cannot carry the path with it.

        Under transaction pooling an autocommit statement is a transaction of its own, which
        a pooler may hand to any server session: the path and the statement then share an
        explicit transaction. A statement PostgreSQL refuses inside one (VACUUM, CREATE
        INDEX CONCURRENTLY, ...) cannot carry a tenant's path at all.
        """
        path = self.tenantry_search_path
        if not (path.pooled and self.connection.autocommit):
            self.tenantry_apply_search_path()
            yield
            return
        if runs_outside_transactions(sql):
            if path.schema() != PUBLIC_SCHEMA:
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
            path.forget()
            with suppress(Exception):  # a broken connection has no transaction left to end
                self._tenantry_raw_execute("ROLLBACK")
            raise
        self._tenantry_raw_execute("COMMIT")
        path.forget()  # the local path ended with the transaction

    def _tenantry_raw_execute(self, statement: str) -> None:
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute(statement)

    # -- moments when the server's path may differ from what we remember ----------------

    def get_new_connection(self, conn_params: Any) -> Any:
        path = self.tenantry_search_path
        path.forget(checks=True)  # a new server session
        path.pooled = get_settings().transaction_pooling(self.alias)
        connection = super().get_new_connection(conn_params)
        _recycling.connected(self, connection)  # tenantry recycling: this session's count
        return connection

    def close_if_unusable_or_obsolete(self) -> None:
        # Django calls this when every request starts and ends (Celery around every task).
        path = self.tenantry_search_path
        path.check_schemas_again()
        # tenantry recycling: asked only once the session served more tenant schemas than
        # the limit (a count and the alias's limit, kept with the settings object, here; the
        # rest of its questions there).
        settings = get_settings()
        if settings is not self._tenantry_recycle_settings:
            self._tenantry_recycle_settings = settings
            self._tenantry_recycle_limit = settings.recycle_after_schemas(self.alias)
        limit = self._tenantry_recycle_limit
        visited = path.visited
        if limit is not None and len(visited) - (PUBLIC_SCHEMA in visited) > limit:
            _recycling.recycle_if_due(self)
        super().close_if_unusable_or_obsolete()

    def _rollback(self) -> None:
        self.tenantry_search_path.forget(checks=True)
        super()._rollback()

    def _commit(self) -> None:
        try:
            super()._commit()
        except BaseException:
            self.tenantry_search_path.forget(checks=True)  # a failed commit is a rollback
            raise

    def _savepoint_rollback(self, sid: str) -> None:
        try:
            super()._savepoint_rollback(sid)
        finally:
            self.tenantry_search_path.forget(checks=True)

    def _close(self) -> None:
        self.tenantry_search_path.forget()
        super()._close()

    # -- cursors -------------------------------------------------------------------------

    def make_cursor(self, cursor: Any) -> CursorWrapper:
        return TenantCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor: Any) -> CursorWrapper:
        return TenantCursorDebugWrapper(cursor, self)
