"""Database operations: Django's own, with the search path kept out of the query log."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql.operations import DatabaseOperations


class TenantOperations(DatabaseOperations):
    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> str:
        # psycopg 3 reports the text it sent, which may start with the path statement that
        # travelled with the query; connection.queries, CaptureQueriesContext and the
        # django.db.backends logger show the user's query, as with the stock backend.
        query: str = super().last_executed_query(cursor, sql, params)
        prefix = getattr(self.connection, "tenantry_sent_prefix", None)
        if query and prefix and query.startswith(prefix):
            return query[len(prefix) :]
        return query
