"""The backend keeps every statement in the active tenant's schema, cheaply.

Statements are counted on the server (pg_stat_statements), not timed.
"""

from __future__ import annotations

import gc

import pytest
from django.db import DataError, connection, transaction
from django.test import override_settings
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context


def current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def search_path() -> str:
    """The effective path. (SHOW's text depends on how the path was set: SET normalizes
    quoting, set_config keeps it, and the first statement per schema uses set_config.)"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT array_to_string(current_schemas(false), ', ')")
        return cursor.fetchone()[0]


def test_path_is_tenant_then_public_then_extras(make_tenant):
    tenant = make_tenant("acme")
    with tenant_context(tenant):
        assert search_path() == "acme, public"
    assert search_path() == "public"
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "ext ensions"')
    with override_settings(TENANTRY_EXTRA_SEARCH_PATHS=["ext ensions"]), tenant_context(tenant):
        assert search_path() == "acme, public, ext ensions"
    assert search_path() == "public"


def test_consecutive_work_for_one_tenant_sends_no_search_path_statement(
    make_tenant, statement_counter
):
    tenant = make_tenant()
    with tenant_context(tenant):
        Note.objects.create(title="warm up")  # the first statement may set the path
    statement_counter.reset()
    for _ in range(5):
        with tenant_context(tenant), transaction.atomic():
            Note.objects.create(title="again")
            assert Note.objects.filter(title="again").exists()
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
    assert statement_counter.search_path_statements() == 0
    assert statement_counter.statements() > 0


def test_switching_tenant_costs_at_most_one_round_trip(make_tenant, statement_counter):
    first, second = make_tenant(), make_tenant()

    def unit_of_work(tenant):
        with tenant_context(tenant):
            list(Note.objects.all())
            Note.objects.filter(title="x").count()

    unit_of_work(first)
    statement_counter.reset()
    unit_of_work(first)  # same tenant again
    same = statement_counter.statements()
    statement_counter.reset()
    unit_of_work(second)  # a switch
    switched = statement_counter.statements()
    assert statement_counter.search_path_statements() == 1
    assert switched - same == 1


def test_many_cursors_in_one_tenant_share_one_path_statement(make_tenant, statement_counter):
    tenant = make_tenant()
    assert current_schema() == "public"
    statement_counter.reset()
    with tenant_context(tenant):
        for _ in range(10):
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_schema()")
    assert statement_counter.search_path_statements() == 1


def test_rollback_forgets_the_path_so_the_next_query_is_right(make_tenant):
    tenant = make_tenant("acme")

    def point_at_tenant_then_fail():
        with transaction.atomic():
            with tenant_context(tenant):
                assert current_schema() == "acme"  # path set inside the savepoint...
            raise ZeroDivisionError  # ...which is rolled back, undoing it on the server

    with pytest.raises(ZeroDivisionError):
        point_at_tenant_then_fail()
    assert current_schema() == "public"
    with tenant_context(tenant):
        assert current_schema() == "acme"


def test_savepoint_rollback_restores_the_right_schema(make_tenant):
    first, second = make_tenant("first"), make_tenant("second")

    def switch_then_fail():
        with transaction.atomic(), tenant_context(second):
            assert current_schema() == "second"
            raise ZeroDivisionError

    with tenant_context(first), transaction.atomic():
        assert current_schema() == "first"
        with pytest.raises(ZeroDivisionError):
            switch_then_fail()
        # The server went back to "first" with the savepoint; so did we.
        assert current_schema() == "first"
        with tenant_context(second):
            assert current_schema() == "second"


def test_an_error_forgets_the_path(make_tenant):
    tenant = make_tenant("acme")
    with tenant_context(tenant):
        assert current_schema() == "acme"
        with transaction.atomic(), connection.cursor() as cursor:
            with pytest.raises(DataError, match="division by zero"):
                cursor.execute("SELECT 1/0")
            assert connection.tenantry_search_path.applied is None
            transaction.set_rollback(True)  # leave the aborted savepoint cleanly
        assert current_schema() == "acme"


def test_reconnecting_forgets_the_path(make_tenant, django_db_blocker):
    tenant = make_tenant("acme")
    with tenant_context(tenant):
        assert current_schema() == "acme"
        assert connection.tenantry_search_path.applied is not None
    connection.close()
    assert connection.tenantry_search_path.applied is None


def test_server_side_cursors_are_isolated(make_tenant):
    first, second = make_tenant("first"), make_tenant("second")
    for tenant in (first, second):
        with tenant_context(tenant):
            Note.objects.bulk_create(Note(title=f"{tenant.schema_name} {i}") for i in range(5))
    with transaction.atomic():
        with tenant_context(first):
            titles = {n.title.split()[0] for n in Note.objects.iterator(chunk_size=2)}
        with tenant_context(second):
            iterator = Note.objects.iterator(chunk_size=2)
            head = next(iterator)
        # Rows of a server-side cursor come from where it was declared, even after a switch.
        with tenant_context(first):
            rest = [note.title.split()[0] for note in iterator]
    assert titles == {"first"}
    assert head.title.startswith("second")
    assert set(rest) == {"second"}


def test_raw_querysets_and_cursors_are_isolated(make_tenant):
    first, second = make_tenant("first"), make_tenant("second")
    with tenant_context(first):
        Note.objects.create(title="in first")
    with tenant_context(second):
        assert list(Note.objects.raw("SELECT * FROM notes_note")) == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM notes_note")
            assert cursor.fetchone() == (0,)
    with tenant_context(first):
        assert [n.title for n in Note.objects.raw("SELECT * FROM notes_note")] == ["in first"]


def test_a_cursor_opened_before_a_switch_follows_the_switch(make_tenant):
    first, second = make_tenant("first"), make_tenant("second")
    with connection.cursor() as cursor:
        with tenant_context(first):
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == ("first",)
        with tenant_context(second):
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == ("second",)


def test_a_tenant_whose_schema_is_missing_fails_instead_of_using_public(db):
    with (
        tenant_context(SchemaDescriptor("not_created")),
        pytest.raises(Exception, match='schema "not_created" does not exist'),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1")


def test_a_tenant_of_another_database_leaves_this_connection_in_public(make_tenant):
    with tenant_context(SchemaDescriptor("elsewhere", database="other")):
        assert current_schema() == "public"


def test_a_dropped_schema_is_checked_again_instead_of_falling_back_to_public(make_tenant):
    tenant = make_tenant("short_lived")
    with tenant_context(tenant):
        assert current_schema() == "short_lived"  # checked once, then trusted
    assert current_schema() == "public"
    tenant.delete(force_drop=True)
    with (
        tenant_context(tenant),
        pytest.raises(Exception, match='schema "short_lived" does not exist'),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT 1")


def test_a_closed_connection_is_freed_without_the_garbage_collector(db):
    """Nothing the search path keeps refers back to the wrapper (Django's own suite checks the
    same: DatabaseWrapperTests.test_release_memory_without_garbage_collection)."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        wrapper = connection.copy()
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 1")  # the path was sent and remembered
        assert wrapper.tenantry_search_path.applied is not None
        wrapper.close()
        wrapper = None
        gc.collect()
        assert gc.garbage == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
