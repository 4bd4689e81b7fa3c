"""Database operations that know tenant tables point at shared ones."""

from __future__ import annotations

from typing import Any

from django.db.backends.postgresql.operations import DatabaseOperations


class TenantOperations(DatabaseOperations):
    def sql_flush(
        self,
        style: Any,
        tables: Any,
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,
    ) -> list[str]:
        # Emptying shared tables must also empty the tenant tables that reference them (in
        # every schema), or TRUNCATE refuses; flush means "no rows", so cascading is right.
        return super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=True)
