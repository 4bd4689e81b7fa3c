"""Database operations: Django's own, with the search path kept out of the query log and a
flush of public that never empties another schema by surprise."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.backends.postgresql.operations import DatabaseOperations

from tenantry_django import _flush

if TYPE_CHECKING:
    from tenantry_django.postgresql.base import DatabaseWrapper

__all__ = ["TenantOperations"]


class TenantOperations(DatabaseOperations):
    connection: DatabaseWrapper

    # Django's compilers plus a guard that a query bound to a tenant runs only there.
    compiler_module = "tenantry_django.postgresql.compiler"

    def last_executed_query(self, cursor: Any, sql: Any, params: Any) -> str:
        # psycopg 3 reports the text it sent, which may start with the path statement that
        # travelled with the query; connection.queries, CaptureQueriesContext and the
        # django.db.backends logger show the user's query, as with the stock backend.
        query: str = super().last_executed_query(cursor, sql, params)
        prefix = self.connection.tenantry_search_path.sent_prefix
        if query and prefix and query.startswith(prefix):
            return query[len(prefix) :]
        return query

    def sql_flush(
        self,
        style: Any,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        """Django's TRUNCATE, cascading only when ``allow_cascade``, as the stock backend.

        Within ``flushing_every_schema()``, a flush of public also empties the other schemas
        holding the project's tables in the same statement, after dropping the schemas of
        the dynamic tenants whose rows go. Otherwise the statement is the stock one and is
        checked before it runs (``execute_sql_flush``).
        """
        before: list[str] = []
        every_schema = bool(tables) and _flush.flushing_public() and _flush.every_schema()
        if every_schema:
            before, others = _flush.sql_flush_every_schema(self.connection, tables)
            tables = [*tables, *others]
        statements = list(
            super().sql_flush(
                style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
            )
        )
        # Producing SQL touches no database (sqlflush prints it anywhere); which tables it
        # empties is remembered, to be checked when it is run.
        checked_later = (
            bool(statements) and _flush.flushing_public() and not (every_schema or allow_cascade)
        )
        self._tenantry_unchecked = (statements[-1], tuple(tables)) if checked_later else None
        return [*before, *statements]

    def execute_sql_flush(self, sql_list: Iterable[str]) -> None:
        """Run a flush; a TRUNCATE of public's tables that PostgreSQL would refuse, because
        tables of other schemas reference them, raises ``FlushRefusedError`` naming those
        tables before anything runs."""
        sql_list = list(sql_list)
        unchecked = getattr(self, "_tenantry_unchecked", None)
        if unchecked is not None and unchecked[0] in sql_list:
            references = _flush.foreign_references(self.connection, unchecked[1])
            if references:
                raise _flush.refusal(self.connection, references)
        super().execute_sql_flush(sql_list)
