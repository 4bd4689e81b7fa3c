"""Cloning the reference schema yields exactly what migrating yields."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note, Tag

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django import _clone
from tenantry_django.schemas import create_clone_reference

SNAPSHOT_QUERIES = {
    "tables": """
        SELECT relname FROM pg_class
        WHERE relnamespace = current_schema()::regnamespace AND relkind IN ('r', 'v', 'm')
        ORDER BY 1""",
    "columns": """
        SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, a.attnum
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
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


def snapshot(schema: str) -> dict[str, list[tuple]]:
    with tenant_context(SchemaDescriptor(schema)), connection.cursor() as cursor:
        result = {}
        for name, query in SNAPSHOT_QUERIES.items():
            cursor.execute(query)
            result[name] = cursor.fetchall()
    return result


@pytest.fixture
def count_clones(monkeypatch):
    calls = []
    original = _clone.clone_schema

    def counting(source, target, database):
        calls.append((source, target))
        return original(source, target, database)

    monkeypatch.setattr("tenantry_django.models.clone_schema", counting)
    return calls


def test_a_clone_of_the_reference_is_identical_to_a_migrated_schema(db, count_clones):
    reference = create_clone_reference()
    assert reference.schema_name == "sample"
    Tenant(schema_name="cloned").save()
    assert count_clones == [("sample", "cloned")]
    without_reference = {
        **settings.TENANTS,
        "default": {k: v for k, v in settings.TENANTS["default"].items() if k != "CLONE_REFERENCE"},
    }
    with override_settings(TENANTS=without_reference):
        Tenant(schema_name="migrated").save()
    assert count_clones == [("sample", "cloned")]  # the second one was migrated

    cloned, migrated = snapshot("cloned"), snapshot("migrated")
    assert cloned["tables"]  # the comparison compares something
    assert cloned["constraints"]
    assert cloned["indexes"]
    assert cloned["sequences"]
    for part in SNAPSHOT_QUERIES:
        assert cloned[part] == migrated[part], part
    with tenant_context(Tenant.objects.get(schema_name="cloned")):
        assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]
        Tag.objects.create(name="second")  # the identity sequence continues, not collides
        Note.objects.create(title="works")


def test_clones_own_their_sequences_views_and_rows(db):
    create_clone_reference()
    with tenant_context(SchemaDescriptor("sample")), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE legacy (id serial PRIMARY KEY, label text DEFAULT 'x')")
        cursor.execute("INSERT INTO legacy (label) VALUES ('a'), ('b')")
        cursor.execute("CREATE SEQUENCE counter START 40 INCREMENT 2")
        cursor.execute("SELECT nextval('counter')")
        cursor.execute("CREATE VIEW labels AS SELECT label FROM legacy JOIN notes_tag ON true")
    Tenant(schema_name="copy").save()
    assert snapshot("copy") == snapshot("sample")
    with tenant_context(SchemaDescriptor("copy")), connection.cursor() as cursor:
        cursor.execute("INSERT INTO legacy (label) VALUES ('c') RETURNING id")
        assert cursor.fetchone() == (3,)
        cursor.execute("SELECT nextval('counter')")
        assert cursor.fetchone() == (42,)
        cursor.execute("SELECT pg_get_serial_sequence('legacy', 'id')")
        assert cursor.fetchone() == ("copy.legacy_id_seq",)
    with tenant_context(SchemaDescriptor("sample")), connection.cursor() as cursor:
        cursor.execute("SELECT last_value FROM legacy_id_seq")
        assert cursor.fetchone() == (2,)  # the reference was not touched


def test_a_failing_clone_leaves_nothing(db, monkeypatch):
    create_clone_reference()
    original = _clone._statements

    def broken(catalog, source, target):
        return [*original(catalog, source, target)[:3], "SELECT 1/0"]

    monkeypatch.setattr(_clone, "_statements", broken)
    with pytest.raises(Exception, match="division by zero"):
        Tenant(schema_name="halfway").save()
    assert not Tenant.objects.filter(schema_name="halfway").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'halfway'")
        assert cursor.fetchone() == (0,)


def test_tenantrys_migrate_yields_what_djangos_migrate_command_yields(db):
    from tenantry_django.migration import migrate_schema, migrate_schema_with_command
    from tenantry_django.schemas import create_schema

    create_schema("by_tenantry", "default")
    migrate_schema(SchemaDescriptor("by_tenantry"))
    create_schema("by_django", "default")
    migrate_schema_with_command(SchemaDescriptor("by_django"))
    ours, django = snapshot("by_tenantry"), snapshot("by_django")
    assert ours["migrations"]
    for part in SNAPSHOT_QUERIES:
        assert ours[part] == django[part], part


def test_a_new_tenant_is_never_a_copy_of_another_tenant(db):
    # CLONE_REFERENCE pointed at a live tenant's schema after the tenant was made.
    r000 = Tenant(schema_name="r000")
    r000.save()
    with tenant_context(r000):
        Note.objects.create(title="r000's private note")
    default = {**settings.TENANTS["default"], "CLONE_REFERENCE": "r000"}

    with (
        override_settings(TENANTS={**settings.TENANTS, "default": default}),
        pytest.raises(ImproperlyConfigured, match="belongs to dynamic tenant 'r000'"),
    ):
        Tenant(schema_name="newcomer").save()

    assert not Tenant.objects.filter(schema_name="newcomer").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regnamespace('newcomer')")
        assert cursor.fetchone() == (None,)
