"""Introspection scoped to the current schema, never the whole search path.

Django's queries ask ``pg_table_is_visible()``, which with ``tenant, public`` on the path also
reports public's tables (so a tenant without ``django_migrations`` would read public's) and
evaluates a function for every relation of every schema. Here each query is restricted to the
schema at the head of the path, and the table list is read through ``pg_depend``'s index on
the owning namespace, so its cost does not grow with the number of schemas.
"""

from __future__ import annotations

import re
from typing import Any

# Django's base module first: from 6.1 its introspection imports the base module, which
# imports introspection, so loading introspection first is a circular import.
from django.db.backends.postgresql import base as _postgresql_base  # noqa: F401
from django.db.backends.postgresql import introspection as postgresql_introspection
from django.db.backends.postgresql.introspection import DatabaseIntrospection

__all__ = ["TenantIntrospection"]

TableInfo: Any = vars(postgresql_introspection)["TableInfo"]  # (name, type, comment) on PostgreSQL
_VISIBLE = re.compile(r"pg_catalog\.pg_table_is_visible\((\w+)\.oid\)")
_IN_CURRENT_SCHEMA = r"\1.relnamespace = pg_catalog.current_schema()::regnamespace"

_TABLE_COLUMNS = """
    SELECT
        c.relname,
        CASE
            WHEN c.relispartition THEN 'p'
            WHEN c.relkind IN ('m', 'v') THEN 'v'
            ELSE 't'
        END,
        obj_description(c.oid, 'pg_class')
"""
_TABLES_IN_SCHEMA = (
    _TABLE_COLUMNS
    + """
    FROM pg_catalog.pg_depend d
    JOIN pg_catalog.pg_class c ON c.oid = d.objid
    WHERE d.refclassid = 'pg_catalog.pg_namespace'::regclass
        AND d.refobjid = pg_catalog.current_schema()::regnamespace
        AND d.classid = 'pg_catalog.pg_class'::regclass
        AND d.deptype = 'n'
        AND c.relkind IN ('f', 'm', 'p', 'r', 'v')
"""
)
# Before PostgreSQL 15 objects in the pinned "public" schema have no pg_depend rows.
_TABLES_IN_SCHEMA_SCAN = (
    _TABLE_COLUMNS
    + """
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace = pg_catalog.current_schema()::regnamespace
        AND c.relkind IN ('f', 'm', 'p', 'r', 'v')
"""
)


def _scoped(cursor: Any) -> Any:
    return _SchemaScopedCursor(cursor)


class _SchemaScopedCursor:
    """Rewrites Django's visibility test into "in the current schema"."""

    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    def execute(self, sql: str, params: Any = None) -> Any:
        return self._cursor.execute(_VISIBLE.sub(_IN_CURRENT_SCHEMA, sql), params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


class TenantIntrospection(DatabaseIntrospection):
    def get_table_list(self, cursor: Any) -> list[Any]:
        indexed = self.connection.pg_version >= 150000
        cursor.execute(_TABLES_IN_SCHEMA if indexed else _TABLES_IN_SCHEMA_SCAN)
        return [TableInfo(*row) for row in cursor.fetchall() if row[0] not in self.ignored_tables]

    def get_table_description(self, cursor: Any, table_name: str) -> Any:
        return super().get_table_description(_scoped(cursor), table_name)

    def get_sequences(self, cursor: Any, table_name: str, table_fields: Any = ()) -> Any:
        return super().get_sequences(_scoped(cursor), table_name, table_fields)

    def get_relations(self, cursor: Any, table_name: str) -> Any:
        return super().get_relations(_scoped(cursor), table_name)

    def get_constraints(self, cursor: Any, table_name: str) -> Any:
        return super().get_constraints(_scoped(cursor), table_name)
