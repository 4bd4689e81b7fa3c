"""Cursor wrappers that point the connection at the active tenant before every statement.

The check is a ContextVar read and a string comparison; the statement that changes the path
is sent only when the connection's applied path differs from the one wanted.
"""

from __future__ import annotations

from typing import Any, Protocol


class _SearchPathConnection(Protocol):
    def tenantry_apply_search_path(self) -> None: ...
    def tenantry_forget_search_path(self) -> None: ...


class SearchPathCursorMixin:
    db: _SearchPathConnection
    cursor: Any

    def execute(self, sql: Any, params: Any = None) -> Any:
        self.db.tenantry_apply_search_path()
        try:
            return super().execute(sql, params)  # type: ignore[misc]
        except BaseException:
            # The transaction may be aborted or the statement may have changed the path:
            # trust nothing we remembered.
            self.db.tenantry_forget_search_path()
            raise

    def executemany(self, sql: Any, param_list: Any) -> Any:
        self.db.tenantry_apply_search_path()
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
