"""TENANTRY_RECYCLE_AFTER_SCHEMAS: a connection whose server session served more tenant schemas
than the limit gets a new server session at the next request boundary (PostgreSQL frees a
backend's catalog caches only when the session ends), never in the middle of work."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.signals import request_finished, request_started
from django.db import connection, transaction
from django.test import override_settings
from postgres_harness import psycopg3_only

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django._recycling_checks import check_connection_recycling
from tenantry_django.postgresql._recycling import recycle_if_due
from tenantry_django.postgresql.base import DatabaseWrapper

LIMIT = 3
SCHEMAS = tuple(f"recycle_{index}" for index in range(LIMIT + 2))


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@pytest.fixture
def schemas(transactional_db: None) -> Iterator[tuple[str, ...]]:
    """Committed schemas each holding a table ``marker`` with the schema's name."""
    with connection.cursor() as cursor:
        for schema in SCHEMAS:
            cursor.execute(f"CREATE SCHEMA {quoted(schema)}")
            cursor.execute(f"CREATE TABLE {quoted(schema)}.marker (name text)")
            cursor.execute(f"INSERT INTO {quoted(schema)}.marker VALUES (%s)", [schema])
    try:
        yield SCHEMAS
    finally:
        connection.close()
        with connection.cursor() as cursor:
            for schema in SCHEMAS:
                cursor.execute(f"DROP SCHEMA IF EXISTS {quoted(schema)} CASCADE")


@pytest.fixture
def persistent(schemas: tuple[str, ...]) -> Iterator[Any]:
    """The default connection kept across requests (CONN_MAX_AGE = None), recycling after
    LIMIT schemas."""
    saved = connection.settings_dict["CONN_MAX_AGE"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    try:
        with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=LIMIT):
            yield connection
    finally:
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = saved


def boundary() -> None:
    """Where one request ends and the next starts: Django's close_old_connections runs."""
    request_finished.send(sender=None)
    request_started.send(sender=None, environ={})


def marker(wrapper: Any, schema: str) -> str:
    """The tenant ``schema``'s marker, read through tenantry's path on ``wrapper``."""
    with tenant_context(SchemaDescriptor(schema)), wrapper.cursor() as cursor:
        cursor.execute("SELECT name FROM marker")
        return str(cursor.fetchone()[0])


def backend_pid(wrapper: Any) -> int:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def session_ended(pid: int) -> bool:
    """Whether server session ``pid`` is gone (its backend exits just after the close)."""
    for _ in range(100):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return True
        time.sleep(0.05)
    return False


def test_more_schemas_than_the_limit_get_a_new_server_session_at_the_next_boundary(persistent):
    first = backend_pid(persistent)
    for schema in SCHEMAS[:LIMIT]:  # up to the limit: one request each, the session kept
        assert marker(persistent, schema) == schema
        boundary()
        assert backend_pid(persistent) == first
    assert marker(persistent, SCHEMAS[LIMIT]) == SCHEMAS[LIMIT]  # one past it
    assert marker(persistent, SCHEMAS[0]) == SCHEMAS[0]
    assert backend_pid(persistent) == first  # not in the middle of the request
    boundary()
    assert persistent.connection is None
    assert marker(persistent, SCHEMAS[LIMIT]) == SCHEMAS[LIMIT]  # the right tenant again
    second = backend_pid(persistent)
    assert second != first
    assert session_ended(first)


def test_schemas_visited_within_one_request_count_too(persistent):
    first = backend_pid(persistent)
    for schema in SCHEMAS[: LIMIT + 1]:
        marker(persistent, schema)
    assert backend_pid(persistent) == first
    boundary()
    assert backend_pid(persistent) != first


def test_public_and_revisits_do_not_count(persistent):
    first = backend_pid(persistent)
    for _ in range(3):
        for schema in SCHEMAS[:LIMIT]:
            marker(persistent, schema)
            backend_pid(persistent)  # public in between
            boundary()
    assert backend_pid(persistent) == first


def test_never_inside_an_atomic_block(persistent):
    # Django's own boundary closes a connection whose autocommit is off (as inside atomic)
    # anyway; tenantry's check, asked there directly, must leave the transaction alone.
    first = backend_pid(persistent)
    with transaction.atomic():
        for schema in SCHEMAS[: LIMIT + 1]:
            marker(persistent, schema)
        assert recycle_if_due(persistent) is False
        assert marker(persistent, SCHEMAS[0]) == SCHEMAS[0]
        assert backend_pid(persistent) == first
    assert recycle_if_due(persistent) is True  # the transaction is over: now
    assert backend_pid(persistent) != first


def test_never_inside_a_transaction_opened_past_django(persistent):
    first = backend_pid(persistent)
    for schema in SCHEMAS[: LIMIT + 1]:
        marker(persistent, schema)
    with persistent.cursor() as cursor:
        cursor.execute("BEGIN")
        assert recycle_if_due(persistent) is False
        cursor.execute("COMMIT")
    assert backend_pid(persistent) == first
    boundary()
    assert backend_pid(persistent) != first


def test_never_while_a_server_side_cursor_is_being_read(persistent):
    first = backend_pid(persistent)
    for schema in SCHEMAS[: LIMIT + 1]:
        marker(persistent, schema)
    with tenant_context(SchemaDescriptor(SCHEMAS[0])):
        cursor = persistent.chunked_cursor()  # what QuerySet.iterator() reads from
        cursor.execute("SELECT name FROM marker, generate_series(1, 100)")
        assert cursor.fetchone()[0] == SCHEMAS[0]
        boundary()  # a streaming response still reading its queryset
        assert len(cursor.fetchall()) == 99
        cursor.close()
    assert backend_pid(persistent) == first
    boundary()
    assert backend_pid(persistent) != first


def test_none_never_recycles(persistent):
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=None):
        first = backend_pid(persistent)
        for schema in SCHEMAS:
            marker(persistent, schema)
            boundary()
        assert backend_pid(persistent) == first


def test_a_limit_per_alias_applies_to_that_alias_and_others_keep_the_default(persistent):
    # A reporting database whose connections roam every schema may keep its sessions while
    # the web database recycles; an alias the dict does not name keeps the default (100).
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS={"other": None}):
        first = backend_pid(persistent)
        for schema in SCHEMAS:
            marker(persistent, schema)
            boundary()
        assert backend_pid(persistent) == first
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS={"default": LIMIT, "other": None}):
        for schema in SCHEMAS:
            marker(persistent, schema)
        boundary()
        assert backend_pid(persistent) != first


def test_the_count_starts_again_on_a_new_connection(persistent):
    for schema in SCHEMAS[:LIMIT]:
        marker(persistent, schema)
    persistent.close()  # e.g. CONN_MAX_AGE ran out, or an error closed it
    first = backend_pid(persistent)
    for schema in SCHEMAS[LIMIT - 1 :]:  # one already counted before, LIMIT - 1 new ones
        marker(persistent, schema)
        boundary()
    assert backend_pid(persistent) == first


def test_a_transaction_pooled_alias_is_never_recycled(persistent):
    # The pooler owns the server sessions: closing the client would free nothing.
    persistent.close()
    with override_settings(TENANTRY_TRANSACTION_POOLING=["default"]):
        first = backend_pid(persistent)
        for schema in SCHEMAS:
            marker(persistent, schema)
        boundary()
        assert backend_pid(persistent) == first


@psycopg3_only("Django's connection pool (OPTIONS['pool'])")
def test_a_pooled_connection_is_discarded_not_returned_to_the_pool(schemas):
    """Django's pool keeps a returned connection's server session: the count follows the
    session across requests, and a due one is dropped from the pool."""
    options = {**connection.settings_dict["OPTIONS"], "pool": {"min_size": 1, "max_size": 1}}
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 0, "OPTIONS": options}
    wrapper = DatabaseWrapper(settings, "default")
    try:
        with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=LIMIT):
            first = backend_pid(wrapper)
            for schema in SCHEMAS[:LIMIT]:  # a request each: the pool hands the session back
                assert marker(wrapper, schema) == schema
                wrapper.close_if_unusable_or_obsolete()  # request end: back to the pool
                assert wrapper.connection is None
                assert backend_pid(wrapper) == first
            assert marker(wrapper, SCHEMAS[LIMIT]) == SCHEMAS[LIMIT]
            wrapper.close_if_unusable_or_obsolete()
            assert session_ended(first)  # discarded by the pool, not kept for the next
            second = backend_pid(wrapper)
            assert second != first
            assert marker(wrapper, SCHEMAS[0]) == SCHEMAS[0]
            wrapper.close_if_unusable_or_obsolete()
            assert backend_pid(wrapper) == second  # a fresh count on the new session
    finally:
        wrapper.close()
        wrapper.close_pool()


@pytest.mark.parametrize("value", ["100", 0, -1, True, 2.5])
def test_a_malformed_limit_is_reported(value):
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=value):
        (error,) = check_connection_recycling()
    assert error.id == "tenantry.E060"
    assert repr(value) in error.msg


@pytest.mark.parametrize("value", [{"default": 0}, {"default": "100"}, {1: 100}])
def test_a_malformed_limit_per_alias_is_reported(value):
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=value):
        (error,) = check_connection_recycling()
    assert error.id == "tenantry.E060"
    ((alias, limit),) = value.items()
    assert f"{alias!r}: {limit!r}" in error.msg


def test_an_alias_not_in_databases_is_reported():
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS={"default": 10, "defualt": 5}):
        (error,) = check_connection_recycling()
    assert error.id == "tenantry.E060"
    assert "'defualt'" in error.msg


@pytest.mark.parametrize("value", [None, 1, 100, {"default": 50, "other": None}, {}])
def test_a_limit_or_none_is_accepted(value):
    with override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=value):
        assert check_connection_recycling() == []
