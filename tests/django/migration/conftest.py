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
