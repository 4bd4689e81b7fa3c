"""Apart from the search path, tenantry's backend behaves like Django's stock one: what query
logs show, what execute_wrapper hooks see, which error a broken transaction raises, what flush
truncates. Each test runs with a tenant switch pending, where the path statement goes out."""

from __future__ import annotations

import io
import logging

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.backends.postgresql.operations import DatabaseOperations as StockOperations
from django.db.transaction import TransactionManagementError
from django.db.utils import DatabaseError, NotSupportedError
from django.test.utils import CaptureQueriesContext
from postgres_harness import copy_rows, psycopg2_only, psycopg3_only
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import FlushRefusedError
from tenantry_django.postgresql.base import DatabaseWrapper

PSYCOPG2_COPY = ("copy_from", "copy_to")  # besides copy_expert(), which copy_rows() uses


@pytest.fixture
def tenant(make_tenant):
    return make_tenant("fidelity")


def test_captured_queries_show_the_users_query_not_the_path(tenant):
    with CaptureQueriesContext(connection) as captured:
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT 5")  # the path to the tenant travels with this query
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::int", [6])  # and the path back to public with this one
        with tenant_context(tenant):
            list(Note.objects.filter(title="x"))
    sent = [query["sql"] for query in captured.captured_queries]
    assert sent[:2] == ["SELECT 5", "SELECT 6::int"]
    assert sent[2].startswith('SELECT "notes_note"."id"')


def test_the_backends_logger_shows_the_users_query(tenant, caplog, settings):
    settings.DEBUG = True
    with caplog.at_level(logging.DEBUG, logger="django.db.backends"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 41")
        with tenant_context(tenant), connection.cursor() as cursor:
            cursor.execute("SELECT 42")  # a switch: the path travels with it
    logged = [record.sql for record in caplog.records if hasattr(record, "sql")]
    assert logged == ["SELECT 41", "SELECT 42"]


def test_savepoints_go_through_execute_wrappers_and_query_counts(tenant):
    seen: list[str] = []

    def record(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    def create_then_fail() -> None:
        with transaction.atomic():
            Note.objects.create(title="b")
            raise ZeroDivisionError

    with (
        tenant_context(tenant),
        transaction.atomic(),
        connection.execute_wrapper(record),
        CaptureQueriesContext(connection) as captured,
    ):
        with transaction.atomic():
            Note.objects.create(title="a")
        with pytest.raises(ZeroDivisionError):
            create_then_fail()
    heads = [sql.split()[0] for sql in seen]
    # Django releases a savepoint after rolling back to it.
    assert heads == [
        *("SAVEPOINT", "INSERT", "RELEASE"),
        *("SAVEPOINT", "INSERT", "ROLLBACK", "RELEASE"),
    ]
    assert len(captured) == len(seen)


def test_copy_is_logged_like_the_stock_backend(tenant):
    # psycopg 3's copy(), or psycopg2's copy_expert().
    with tenant_context(tenant):
        Note.objects.create(title="copied")
        with CaptureQueriesContext(connection) as captured, connection.cursor() as cursor:
            rows = copy_rows(cursor, "COPY notes_note (title) TO STDOUT")
    assert rows == [("copied",)]
    assert [query["sql"] for query in captured.captured_queries] == [
        "COPY notes_note (title) TO STDOUT"
    ]


@psycopg2_only("copy_to() and copy_from() are psycopg2's")
def test_psycopg2_copy_to_and_from_are_logged_like_the_stock_backend(tenant):
    # Django's debug cursor logs copy_to() (as COPY ... TO STDOUT), not copy_from().
    row, output = io.StringIO("from file\t\t2025-01-01 00:00:00+00\n"), io.StringIO()
    with (
        tenant_context(tenant),
        CaptureQueriesContext(connection) as captured,
        connection.cursor() as cursor,
    ):
        cursor.copy_from(row, "notes_note", columns=["title", "body", "created_at"])
        cursor.copy_to(output, "notes_note", columns=["title"])
    assert output.getvalue() == "from file\n"
    assert [query["sql"] for query in captured.captured_queries] == ["COPY notes_note TO STDOUT"]


@pytest.mark.parametrize(
    "statement",
    [
        *("ddl", "executemany", "iterator", "callproc", "copy", "select"),
        *(
            pytest.param(name, marks=psycopg2_only(f"{name}() is psycopg2's"))
            for name in PSYCOPG2_COPY
        ),
    ],
)
def test_a_broken_transaction_raises_djangos_error_before_any_path_statement(
    make_tenant, statement
):
    first, second = make_tenant(), make_tenant()
    with tenant_context(first), transaction.atomic():
        # An error inside atomic() without a savepoint: Django refuses every later query.
        with (
            pytest.raises(DatabaseError),
            transaction.atomic(savepoint=False),
            connection.cursor() as cursor,
        ):
            cursor.execute("SELECT 1/0")
        with tenant_context(second), connection.cursor() as cursor:  # a path change pending
            run = {
                "ddl": lambda: cursor.execute("CREATE TABLE fidelity_t (id int)"),
                "executemany": lambda: cursor.executemany("SELECT %s", [(1,), (2,)]),
                "iterator": lambda: list(Note.objects.iterator(chunk_size=1)),
                "callproc": lambda: cursor.callproc("pg_catalog.now"),
                "copy": lambda: copy_rows(cursor, "COPY notes_note TO STDOUT"),
                "copy_from": lambda: cursor.copy_from(io.StringIO("x\n"), "notes_note"),
                "copy_to": lambda: cursor.copy_to(io.StringIO(), "notes_note"),
                "select": lambda: cursor.execute("SELECT 1"),
            }[statement]
            with pytest.raises(TransactionManagementError):
                run()
        transaction.set_rollback(True)


@psycopg3_only("server-side binding (OPTIONS['server_side_binding'])")
def test_server_side_binding_raises_djangos_error_in_a_broken_transaction(db):
    # With server-side binding nothing is batched: every path statement has its own round
    # trip, and must still come after Django's broken-transaction check.
    settings_dict = {**connection.settings_dict, "OPTIONS": {"server_side_binding": True}}
    wrapper = DatabaseWrapper(settings_dict, "default")
    with wrapper.cursor() as cursor:  # autocommit: visible to the transaction below
        cursor.execute("CREATE SCHEMA IF NOT EXISTS fidelity_side")
    try:
        wrapper.set_autocommit(False)
        with pytest.raises(DatabaseError), wrapper.cursor() as cursor:
            cursor.execute("SELECT 1/0")
        wrapper.needs_rollback = True  # what atomic() records after such an error
        with (
            tenant_context(SchemaDescriptor("fidelity_side")),
            pytest.raises(TransactionManagementError),
            wrapper.cursor() as cursor,
        ):
            cursor.execute("SELECT 1")
    finally:
        wrapper.needs_rollback = False
        wrapper.rollback()
        wrapper.set_autocommit(True)
        with wrapper.cursor() as cursor:
            cursor.execute("DROP SCHEMA fidelity_side")
        wrapper.close()


def test_flush_sql_cascades_only_when_asked():
    tables = ["auth_user"]
    plain = connection.ops.sql_flush(no_style(), tables)
    cascading = connection.ops.sql_flush(no_style(), tables, allow_cascade=True)
    assert not any("CASCADE" in statement for statement in plain)
    assert any("CASCADE" in statement for statement in cascading)


@pytest.mark.parametrize("allow_cascade", [False, True])
@pytest.mark.parametrize("reset_sequences", [False, True])
def test_flush_sql_is_the_stock_backends_and_needs_no_database(allow_cascade, reset_sequences):
    # No database access here: sqlflush prints this SQL without a server.
    tables = ["auth_user", "auth_group", "customers_tenant"]
    options = {"reset_sequences": reset_sequences, "allow_cascade": allow_cascade}
    stock = StockOperations(connection).sql_flush(no_style(), tables, **options)
    assert connection.ops.sql_flush(no_style(), tables, **options) == stock


def test_a_flush_postgresql_would_refuse_names_the_tenant_tables_before_running(tenant):
    from django.contrib.auth.models import User

    User.objects.create(username="kept")
    statements = connection.ops.sql_flush(no_style(), ["auth_user", "auth_group"])
    with pytest.raises(FlushRefusedError) as refused:
        connection.ops.execute_sql_flush(statements)
    assert "fidelity.notes_note (references auth_user)" in str(refused.value)
    assert isinstance(refused.value, NotSupportedError)  # what PostgreSQL's refusal raises
    assert User.objects.filter(username="kept").exists()  # nothing ran
