"""The path travels with the query: one ``execute`` per round trip reaches the driver.

With either driver's client-side cursor (psycopg 3's ClientCursor, Django's default; any
unnamed psycopg2 cursor) a data statement carries the path in front of it, in the same round
trip, and the cursor then holds the query's own result: rows, description, row count, and
query logs show the query alone. What cannot carry it is in ``test_round_trips_unbatched``.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from postgres_harness import recording_driver_executes
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._path_statements import path_statements

PATH_HEADS = ("SET search_path", "SELECT 'rt_")  # set, or set_config() with the check


def path_statement(schema: str) -> str:
    """The statement pointing at ``schema`` the first time (existence checked with it)."""
    return path_statements().session.checked[schema]


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
    assert sent == [f"{path_statements().session.set['rt_first']};\nSELECT current_schema()"]


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


def test_a_missing_schema_fails_in_the_batched_round_trip(db):
    with (
        tenant_context(SchemaDescriptor("rt_missing")),
        recording_driver_executes() as sent,
        connection.cursor() as cursor,
        pytest.raises(TenantSchemaMissingError, match='"rt_missing"'),
    ):
        cursor.execute("SELECT 1")
    assert sent == [f"{path_statement('rt_missing')};\nSELECT 1"]
    assert connection.tenantry_search_path.applied is None


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
        assert connection.tenantry_search_path.applied is None
        with tenant_context(second):
            assert {n.title for n in Note.objects.all()} == {"rt_second"}
        with tenant_context(first):
            assert {n.title for n in Note.objects.all()} == {"rt_first"}
