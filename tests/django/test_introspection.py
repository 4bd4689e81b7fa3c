"""Introspection sees the current schema only, through indexed catalog queries."""

from __future__ import annotations

from django.db import connection

from tenantry import tenant_context


def test_table_names_are_those_of_the_current_schema_only(make_tenant):
    tenant = make_tenant()
    with tenant_context(tenant):
        tenant_tables = set(connection.introspection.table_names())
    public_tables = set(connection.introspection.table_names())
    assert tenant_tables == {"django_migrations", "notes_note", "notes_tag", "notes_note_tags"}
    assert {"auth_user", "customers_tenant", "django_migrations"} <= public_tables
    assert not {"notes_note", "notes_tag"} & public_tables


def test_describing_and_constraints_stay_in_the_current_schema(make_tenant):
    tenant = make_tenant()
    with tenant_context(tenant), connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "notes_note")
        ]
        constraints = connection.introspection.get_constraints(cursor, "notes_note")
        # auth_user lives in public: from the tenant it is not "a table of this schema".
        assert connection.introspection.get_constraints(cursor, "auth_user") == {}
    assert columns == ["id", "title", "body", "created_at", "author_id"]
    assert "note_title_not_empty" in constraints
    assert "note_title_created" in constraints


def test_the_table_list_uses_an_index_not_a_scan_of_every_schema(make_tenant):
    tenant = make_tenant()
    with tenant_context(tenant), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        from tenantry_django.postgresql.introspection import _TABLES_IN_SCHEMA

        cursor.execute("EXPLAIN " + _TABLES_IN_SCHEMA)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "pg_depend_reference_index" in plan
    assert "pg_table_is_visible" not in plan
