"""Cursor wrappers that point the connection at the active tenant before every statement.

The check is a ContextVar read and a string comparison. When the path must change, the
statement that changes it travels in the same round trip as the query whenever the driver
cursor allows several statements (psycopg 3's client-side binding cursor, Django's default)
and the statement reads or writes data: ``<set path>; <query>``, then the cursor moves to the
query's result. Otherwise (DDL, server-side cursors, server-side binding, executemany,
callproc, COPY) it costs one round trip first.
"""

from __future__ import annotations

from typing import Any, Protocol

try:
    from psycopg import ClientCursor as _BatchingCursor
except ImportError:  # pragma: no cover - psycopg 2 backends: never batch
    _BatchingCursor = ()  # type: ignore[assignment,misc]


# Only plain data statements are batched: two statements in one simple query run as one
# implicit transaction, which e.g. CREATE DATABASE or VACUUM refuse.
_BATCHABLE_HEADS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "(")


def _batchable(cursor: Any, sql: Any) -> bool:
    return (
        isinstance(cursor, _BatchingCursor)
        and isinstance(sql, str)
        and sql.lstrip()[:6].upper().startswith(_BATCHABLE_HEADS)
    )


class _SearchPathConnection(Protocol):
    def tenantry_pending_statement(self) -> str | None: ...
    def tenantry_mark_applied(self, statement: str) -> None: ...
    def tenantry_apply_search_path(self) -> None: ...
    def tenantry_forget_search_path(self) -> None: ...
    def validate_no_broken_transaction(self) -> None: ...

    @property
    def wrap_database_errors(self) -> Any: ...


class SearchPathCursorMixin:
    db: _SearchPathConnection
    cursor: Any

    def _execute(self, sql: Any, params: Any, *ignored: Any) -> Any:
        pending = self.db.tenantry_pending_statement()
        if pending is None:
            return super()._execute(sql, params, *ignored)  # type: ignore[misc]
        if not _batchable(self.cursor, sql):
            self.db.tenantry_apply_search_path()
            return super()._execute(sql, params, *ignored)  # type: ignore[misc]
        self.db.validate_no_broken_transaction()
        with self.db.wrap_database_errors:
            if params is None:
                result = self.cursor.execute(f"{pending};\n{sql}")
            else:  # the path statement must survive %-formatting of the parameters
                result = self.cursor.execute(f"{pending.replace('%', '%%')};\n{sql}", params)
            self.cursor.nextset()  # past the path statement, onto the query's own result
        self.db.tenantry_mark_applied(pending)
        return result

    def _executemany(self, sql: Any, param_list: Any, *ignored: Any) -> Any:
        self.db.tenantry_apply_search_path()
        return super()._executemany(sql, param_list, *ignored)  # type: ignore[misc]

    def execute(self, sql: Any, params: Any = None) -> Any:
        try:
            return super().execute(sql, params)  # type: ignore[misc]
        except BaseException:
            # The transaction may be aborted or the statement may have changed the path:
            # trust nothing we remembered.
            self.db.tenantry_forget_search_path()
            raise

    def executemany(self, sql: Any, param_list: Any) -> Any:
        try:
            return super().executemany(sql, param_list)  # type: ignore[misc]
        except BaseException:
            self.db.tenantry_forget_search_path()
            raise

    def callproc(self, procname: str, params: Any = None, kparams: Any = None) -> Any:
        self.db.tenantry_apply_search_path()
        try:
            return super().callproc(procname, params, kparams)  # type: ignore[misc]
        except BaseException:
            self.db.tenantry_forget_search_path()
            raise

    def copy(self, *args: Any, **kwargs: Any) -> Any:
        # psycopg 3's COPY goes straight to the driver cursor; point it first.
        self.db.tenantry_apply_search_path()
        return self.cursor.copy(*args, **kwargs)
