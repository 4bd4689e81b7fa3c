"""The path in a round trip of its own, for what cannot carry it in front of the query.

DDL, executemany, callproc, server-side (named) cursors, psycopg 3's server-side binding and
COPY send the path first, then the statement; ``recording_driver_executes`` shows each
``execute`` that reaches the driver. The psycopg2-only tests cover its named cursors and its
COPY methods (``copy_expert``, ``copy_from``, ``copy_to``).
"""

from __future__ import annotations

import io

import pytest
from django.db import connection, transaction
from postgres_harness import psycopg2_only, psycopg3_only, recording_driver_executes
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._path_statements import path_statements

PATH_HEADS = ("SET search_path", "SELECT 'rt_")  # set, or set_config() with the check


def path_statement(schema: str) -> str:
    """The statement pointing at ``schema`` the first time (existence checked with it)."""
    return path_statements().session.checked[schema]


def test_ddl_takes_one_round_trip_for_the_path_first(tenants):
    first, _ = tenants
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        cursor.execute("CREATE TABLE rt_made (id int)")
    assert sent == [path_statement("rt_first"), "CREATE TABLE rt_made (id int)"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('rt_first.rt_made') IS NOT NULL")
        assert cursor.fetchone() == (True,)


@pytest.mark.parametrize(
    "statement",
    ["executemany", pytest.param("callproc", marks=psycopg2_only("psycopg 3 has no callproc()"))],
)
def test_executemany_and_callproc_take_one_round_trip_for_the_path_first(tenants, statement):
    first, _ = tenants
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        if statement == "executemany":
            cursor.executemany(
                "UPDATE notes_note SET body = %s WHERE title = %s", [("many", "rt_first")] * 2
            )
        else:
            cursor.callproc("pg_catalog.current_schema")
            assert cursor.fetchone() == ("rt_first",)
    # Both reach the driver by methods of their own: only the path statement shows.
    assert sent == [path_statement("rt_first")]
    if statement == "executemany":
        with tenant_context(first):
            assert Note.objects.filter(body="many").count() == 3


def test_a_server_side_cursor_sends_the_path_on_its_own(tenants):
    first, second = tenants
    with transaction.atomic():  # a named cursor needs a transaction (or WITH HOLD)
        with tenant_context(first), recording_driver_executes() as sent:
            titles = [note.title for note in Note.objects.iterator(chunk_size=2)]
        with tenant_context(second):
            iterator = Note.objects.iterator(chunk_size=1)
            head = next(iterator)
        with tenant_context(first):
            rest = [note.title for note in iterator]  # rows of where it was declared
    assert titles == ["rt_first"] * 3
    assert (head.title, rest) == ("rt_second", ["rt_second"] * 2)
    assert sent[0] == path_statement("rt_first")  # never in front of the DECLARE
    assert not any(text.startswith(PATH_HEADS) and "notes_note" in text for text in sent)


# -- psycopg 3 only ------------------------------------------------------------------------


@psycopg3_only("server-side binding (OPTIONS['server_side_binding']) sends one statement at a time")
def test_server_side_binding_never_batches(tenants):
    from tenantry_django.postgresql.base import DatabaseWrapper

    settings_dict = {**connection.settings_dict, "OPTIONS": {"server_side_binding": True}}
    wrapper = DatabaseWrapper(settings_dict, "default")
    try:
        wrapper.ensure_connection()  # (connecting sends statements of its own)
        with (
            tenant_context(SchemaDescriptor("public")),
            recording_driver_executes() as sent,
            wrapper.cursor() as cursor,
        ):
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == ("public",)
    finally:
        wrapper.close()
    assert sent == [path_statements().session.set["public"], "SELECT current_schema()"]


# -- psycopg2 only -------------------------------------------------------------------------

COPY_METHODS = psycopg2_only("copy_expert(), copy_from() and copy_to() are psycopg2's")


@psycopg2_only("Django's .iterator() declares a psycopg2 named cursor")
def test_a_psycopg2_named_cursor_is_declared_in_the_tenant(tenants):
    first, _ = tenants
    with transaction.atomic(), tenant_context(first):
        with recording_driver_executes() as sent:
            cursor = connection.chunked_cursor()
            assert cursor.cursor.name is not None  # psycopg2: a named, server-side cursor
            cursor.execute("SELECT title, current_schema() FROM notes_note")
            rows = cursor.fetchall()
        cursor.close()
    assert rows == [("rt_first", "rt_first")] * 3
    assert sent == [path_statement("rt_first"), "SELECT title, current_schema() FROM notes_note"]


@COPY_METHODS
def test_psycopg2_copy_expert_runs_in_the_tenant(tenants):
    first, second = tenants
    output = io.StringIO()
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY (SELECT current_schema(), count(*) FROM notes_note) TO STDOUT", output
        )
    assert output.getvalue() == "rt_first\t3\n"
    assert sent == [path_statement("rt_first")]  # COPY itself is no execute()
    output = io.StringIO()
    with tenant_context(second), connection.cursor() as cursor:
        cursor.copy_expert("COPY notes_note (title) TO STDOUT", output)
    assert output.getvalue() == "rt_second\n" * 3


@COPY_METHODS
def test_psycopg2_copy_from_writes_into_the_tenant(tenants):
    first, second = tenants
    rows = io.StringIO("copied in\t\t2025-01-01 00:00:00+00\n" * 2)
    with tenant_context(second), connection.cursor() as cursor:
        cursor.copy_from(rows, "notes_note", columns=["title", "body", "created_at"])
    with tenant_context(second):
        assert Note.objects.filter(title="copied in").count() == 2
    with tenant_context(first):
        assert not Note.objects.filter(title="copied in").exists()


@COPY_METHODS
def test_psycopg2_copy_to_reads_the_tenants_table(tenants):
    first, second = tenants
    for tenant in (first, second, first):
        output = io.StringIO()
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.copy_to(output, "notes_note", columns=["title"])
        assert output.getvalue() == f"{tenant.schema_name}\n" * 3


@COPY_METHODS
def test_a_failed_psycopg2_copy_forgets_the_path(tenants):
    first, second = tenants
    with transaction.atomic():
        with (
            tenant_context(first),
            connection.cursor() as cursor,
            pytest.raises(Exception, match="rt_nowhere"),
            transaction.atomic(),
        ):
            cursor.copy_expert("COPY rt_nowhere TO STDOUT", io.StringIO())
        assert connection.tenantry_search_path.applied is None
        with tenant_context(second):
            assert {n.title for n in Note.objects.all()} == {"rt_second"}


@COPY_METHODS
def test_a_psycopg2_copy_into_a_missing_schema_fails_clearly(db):
    with (
        tenant_context(SchemaDescriptor("rt_missing")),
        connection.cursor() as cursor,
        pytest.raises(TenantSchemaMissingError, match='"rt_missing"'),
    ):
        cursor.copy_from(io.StringIO("x\n"), "notes_note", columns=["title"])
