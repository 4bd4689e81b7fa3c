"""Fixtures of the migration engine's suites: bare schemas inside the test's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.db import connection

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.schemas import create_schema


@pytest.fixture
def bare_schema(db: None) -> Callable[[], SchemaDescriptor]:
    """``bare_schema()``: a new, empty schema in the default database (rolled back)."""

    def make() -> SchemaDescriptor:
        schema = SchemaDescriptor(f"engine_{uuid.uuid4().hex[:10]}")
        create_schema(schema.schema_name, schema.database)
        return schema

    return make


@pytest.fixture
def structure() -> Callable[[SchemaDescriptor], list[tuple[object, ...]]]:
    """``structure(schema)``: its tables' columns, constraints and indexes, names unqualified."""

    def read(schema: SchemaDescriptor) -> list[tuple[object, ...]]:
        with tenant_context(schema), connection.cursor() as cursor:
            cursor.execute(
                "SELECT 'column', table_name, column_name, data_type, column_default "
                "FROM information_schema.columns WHERE table_schema = current_schema() "
                "UNION ALL SELECT 'constraint', conrelid::regclass::text, conname, "
                "pg_get_constraintdef(oid), '' FROM pg_constraint "
                "WHERE connamespace = current_schema()::regnamespace "
                "UNION ALL SELECT 'index', tablename, indexname, "
                "replace(indexdef, current_schema() || '.', ''), '' FROM pg_indexes "
                "WHERE schemaname = current_schema()"
            )
            return sorted(cursor.fetchall(), key=repr)

    return read


#: A schema's catalog, names unqualified: what two schemas built alike must share.
CATALOG_QUERIES = {
    "relations": """
        SELECT relname, relkind FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'v', 'm', 'S')
        ORDER BY 1""",
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attnum
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'v')
          AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY 1, a.attnum""",
    "constraints": """
        SELECT t.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
               con.condeferrable, con.condeferred
        FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
        WHERE con.connamespace = current_schema()::regnamespace ORDER BY 1, 2""",
    "indexes": """
        SELECT t.relname, i.relname,
               replace(pg_get_indexdef(i.oid), current_schema() || '.', 'SCHEMA.')
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relnamespace = current_schema()::regnamespace ORDER BY 1, 2""",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, increment_by, min_value, max_value,
               cache_size, cycle, last_value
        FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1""",
    "views": """
        SELECT viewname, definition FROM pg_views
        WHERE schemaname = current_schema() ORDER BY 1""",
    "migrations": "SELECT app, name FROM django_migrations ORDER BY 1, 2",
}


@pytest.fixture
def catalog() -> Callable[[SchemaDescriptor], dict[str, list[tuple[object, ...]]]]:
    """``catalog(schema)``: its relations, columns, constraints, indexes, sequences, views
    and recorded migrations, each a sorted list."""

    def read(schema: SchemaDescriptor) -> dict[str, list[tuple[object, ...]]]:
        parts = {}
        with tenant_context(schema), connection.cursor() as cursor:
            for part, query in CATALOG_QUERIES.items():
                cursor.execute(query)
                parts[part] = cursor.fetchall()
        return parts

    return read
