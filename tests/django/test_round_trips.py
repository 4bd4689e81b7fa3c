"""What reaches the driver, one ``execute`` per round trip, when the path has to change.

With either driver's client-side cursor (psycopg 3's ClientCursor, Django's default; any
unnamed psycopg2 cursor) a data statement carries the path in front of it, in the same round
trip, and the cursor then holds the query's own result: rows, description, row count.
Everything else (DDL, executemany, callproc, server-side cursors, COPY) sends the path in a
round trip of its own first. The psycopg2-only tests cover its named cursors and its COPY
methods (``copy_expert``, ``copy_from``, ``copy_to``).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from postgres_harness import psycopg2_only, psycopg3_only, recording_driver_executes
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._search_path import (
    checked_set_search_path_statement,
    set_search_path_statement,
)

PATH_HEADS = ("SET search_path", "SELECT 'rt_")  # set, or set_config() with the check


def path_statement(schema: str) -> str:
    """The statement pointing at ``schema`` the first time (existence checked with it)."""
    return checked_set_search_path_statement(schema)


@pytest.fixture
def tenants(make_tenant: Callable[..., Any]) -> tuple[Any, Any]:
    """Two tenants with three notes each, titled with the schema's name; the connection
    points at public afterwards, so the next statement in a tenant must change the path."""
    made = make_tenant("rt_first"), make_tenant("rt_second")
    for tenant in made:
        with tenant_context(tenant):
            Note.objects.bulk_create(Note(title=tenant.schema_name) for _ in range(3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # back in public
    # As when a request starts (close_old_connections): each schema is checked again first.
    connection._tenantry_verified.clear()
    return made


def test_a_query_after_a_switch_carries_the_path_in_its_own_round_trip(tenants):
    first, _ = tenants
    with (
        tenant_context(first),
        recording_driver_executes() as sent,
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT current_schema() AS here, %s::int AS n", [5])
        rows = cursor.fetchall()
        names = [column[0] for column in cursor.description]
    assert sent == [f"{path_statement('rt_first')};\nSELECT current_schema() AS here, %s::int AS n"]
    assert rows == [("rt_first", 5)]  # the query's result, not the path statement's
    assert names == ["here", "n"]


def test_the_next_query_in_the_same_tenant_sends_no_path(tenants):
    first, _ = tenants
    with tenant_context(first), recording_driver_executes() as sent:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        sent.clear()
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == ("rt_first",)
    assert sent == ["SELECT current_schema()"]


def test_a_verified_schema_gets_the_plain_set_statement(tenants):
    first, second = tenants
    with tenant_context(first), connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # rt_first checked once
    with tenant_context(second), connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # rt_second too, and the path moved away from rt_first
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        assert cursor.fetchone() == ("rt_first",)
    assert sent == [f"{set_search_path_statement('rt_first')};\nSELECT current_schema()"]


def test_a_batched_write_reports_its_own_row_count(tenants):
    first, second = tenants
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        cursor.execute("UPDATE notes_note SET body = %s WHERE title = %s", ["seen", "rt_first"])
        assert cursor.rowcount == 3
    assert len(sent) == 1
    assert sent[0].startswith(PATH_HEADS)
    with tenant_context(second):
        assert Note.objects.filter(body="seen").count() == 0
        updated = Note.objects.filter(title="rt_second").update(body="other")  # batched too
    assert updated == 3
    with tenant_context(first):
        assert Note.objects.filter(body="seen").count() == 3


def test_a_batched_insert_returns_its_new_row(tenants):
    first, _ = tenants
    with tenant_context(first), recording_driver_executes() as sent:
        note = Note.objects.create(title="returned")
    assert len(sent) == 1
    assert sent[0].startswith(PATH_HEADS)
    assert note.pk is not None
    with tenant_context(first):
        assert Note.objects.get(pk=note.pk).title == "returned"


def test_percent_signs_survive_in_a_batched_query(tenants):
    first, _ = tenants
    with tenant_context(first), recording_driver_executes() as sent, connection.cursor() as cursor:
        cursor.execute("SELECT %s || '%%', current_schema()", ["50"])
        assert cursor.fetchone() == ("50%", "rt_first")
    assert len(sent) == 1


def test_the_query_log_shows_the_query_without_the_path(tenants):
    first, _ = tenants
    with (
        tenant_context(first),
        CaptureQueriesContext(connection) as captured,
        recording_driver_executes() as sent,
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT %s::text", ["logged"])
    assert len(sent) == 1
    assert sent[0].startswith(PATH_HEADS)
    assert [query["sql"] for query in captured.captured_queries] == ["SELECT 'logged'::text"]


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


def test_a_missing_schema_fails_in_the_batched_round_trip(db):
    with (
        tenant_context(SchemaDescriptor("rt_missing")),
        recording_driver_executes() as sent,
        connection.cursor() as cursor,
        pytest.raises(TenantSchemaMissingError, match='"rt_missing"'),
    ):
        cursor.execute("SELECT 1")
    assert sent == [f"{path_statement('rt_missing')};\nSELECT 1"]
    assert connection._tenantry_applied is None


def test_an_error_in_the_batched_query_forgets_the_path(tenants):
    first, second = tenants
    with transaction.atomic():
        with (
            tenant_context(first),
            connection.cursor() as cursor,
            pytest.raises(Exception, match="division by zero"),
            transaction.atomic(),
        ):
            cursor.execute("SELECT 1/0")
        assert connection._tenantry_applied is None
        with tenant_context(second):
            assert {n.title for n in Note.objects.all()} == {"rt_second"}
        with tenant_context(first):
            assert {n.title for n in Note.objects.all()} == {"rt_first"}


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
    assert sent == [set_search_path_statement("public"), "SELECT current_schema()"]


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
        assert connection._tenantry_applied is None
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
