"""TENANTRY_TRANSACTION_POOLING on a direct connection: every transaction carries its own
path, and nothing session-level is left on the server session (what a transaction pooler
hands to the next client). The pgbouncer suites test the same through a real pooler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.utils import DatabaseError
from django.test import override_settings

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError, TransactionPoolingError
from tenantry_django.postgresql.base import DatabaseWrapper

SCHEMAS = ("pool_a", "pool_b")


@pytest.fixture
def pooled(transactional_db: None) -> Iterator[DatabaseWrapper]:
    """A connection of its own in transaction-pooling mode, and two committed schemas each
    holding a table ``marker`` with the schema's name."""
    with override_settings(TENANTRY_TRANSACTION_POOLING=["default"]):
        wrapper = DatabaseWrapper(dict(connection.settings_dict), "default")
        wrapper.ensure_connection()
    with wrapper.cursor() as cursor:
        for schema in SCHEMAS:
            cursor.execute(f"CREATE SCHEMA {schema}")
            cursor.execute(f"CREATE TABLE {schema}.marker (name text)")
            cursor.execute(f"INSERT INTO {schema}.marker VALUES ('{schema}')")
    try:
        yield wrapper
    finally:
        wrapper.close()
        with connection.cursor() as cursor:
            for schema in SCHEMAS:
                cursor.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def session_path(wrapper: DatabaseWrapper) -> str:
    """The server session's own path, read past tenantry (a pooler's next client sees it)."""
    with wrapper.connection.cursor() as raw:
        raw.execute("SELECT current_setting('search_path')")
        return str(raw.fetchone()[0])


def marker(wrapper: DatabaseWrapper) -> Any:
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT name FROM marker")
        return cursor.fetchone()[0]


def test_autocommit_statements_each_carry_the_path_and_leave_nothing_behind(pooled):
    default = session_path(pooled)
    for schema in (*SCHEMAS, *SCHEMAS):
        with tenant_context(SchemaDescriptor(schema)):
            assert marker(pooled) == schema
            assert session_path(pooled) == default


def test_a_transaction_carries_the_path_once_and_ends_with_it(pooled):
    default = session_path(pooled)
    pooled.set_autocommit(False)
    try:
        with tenant_context(SchemaDescriptor("pool_a")):
            assert marker(pooled) == "pool_a"
            assert session_path(pooled) == '"pool_a", "public"'  # for this transaction
            with tenant_context(SchemaDescriptor("pool_b")):
                assert marker(pooled) == "pool_b"  # a switch inside the transaction
            assert marker(pooled) == "pool_a"
        pooled.commit()
        assert session_path(pooled) == default  # the next transaction starts clean
        with tenant_context(SchemaDescriptor("pool_b")):
            assert marker(pooled) == "pool_b"
        pooled.rollback()
    finally:
        pooled.set_autocommit(True)
    assert session_path(pooled) == default


def test_a_savepoint_rollback_undoes_the_local_path_and_tenantry_knows(pooled):
    pooled.set_autocommit(False)
    try:
        with tenant_context(SchemaDescriptor("pool_a")):
            assert marker(pooled) == "pool_a"
            savepoint = pooled.savepoint()
            with tenant_context(SchemaDescriptor("pool_b")):
                assert marker(pooled) == "pool_b"
            pooled.savepoint_rollback(savepoint)  # the server is back on pool_a's path...
            with tenant_context(SchemaDescriptor("pool_b")):
                assert marker(pooled) == "pool_b"  # ...so the switch is sent again
        pooled.rollback()
    finally:
        pooled.set_autocommit(True)


def test_statements_that_cannot_be_batched_share_a_transaction_with_the_path(pooled):
    default = session_path(pooled)
    with tenant_context(SchemaDescriptor("pool_b")), pooled.cursor() as cursor:
        cursor.execute("CREATE TABLE created_here (id int)")  # DDL: never batched
        cursor.executemany("INSERT INTO created_here VALUES (%s)", [(1,), (2,)])
    assert session_path(pooled) == default
    with pooled.cursor() as cursor:
        cursor.execute(
            "SELECT table_schema FROM information_schema.tables WHERE table_name = %s",
            ["created_here"],
        )
        assert cursor.fetchall() == [("pool_b",)]
        cursor.execute("SELECT count(*) FROM pool_b.created_here")
        assert cursor.fetchone() == (2,)


def test_a_failed_statement_leaves_no_transaction_open(pooled):
    with tenant_context(SchemaDescriptor("pool_a")), pooled.cursor() as cursor:
        with pytest.raises(DatabaseError):
            cursor.execute("CREATE TABLE marker (id int)")  # exists: fails after BEGIN
        cursor.execute("CREATE TABLE fine (id int)")
    assert pooled.connection.info.transaction_status == 0  # idle
    with tenant_context(SchemaDescriptor("pool_a")):
        assert marker(pooled) == "pool_a"


def test_statements_outside_transactions_refuse_a_tenant_and_run_without_one(pooled):
    with tenant_context(SchemaDescriptor("pool_a")), pooled.cursor() as cursor:
        with pytest.raises(TransactionPoolingError, match="pool_a"):
            cursor.execute("CREATE INDEX CONCURRENTLY marker_name ON marker (name)")
        with pytest.raises(TransactionPoolingError):
            cursor.execute("VACUUM marker")
    with pooled.cursor() as cursor:
        cursor.execute("VACUUM pool_a.marker")  # no tenant: nothing to carry
        cursor.execute("CREATE INDEX CONCURRENTLY marker_name ON pool_a.marker (name)")
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE indexname = 'marker_name'")
        assert cursor.fetchone() == (1,)


def test_a_missing_schema_fails_every_request(pooled):
    with tenant_context(SchemaDescriptor("pool_a")):
        assert marker(pooled) == "pool_a"
    with pooled.cursor() as cursor:
        cursor.execute("DROP SCHEMA pool_a CASCADE")  # as another process would
    for _ in range(2):
        pooled.close_if_unusable_or_obsolete()  # a request boundary
        with (
            tenant_context(SchemaDescriptor("pool_a")),
            pytest.raises(TenantSchemaMissingError, match='schema "pool_a" does not exist'),
        ):
            marker(pooled)


def test_without_the_setting_the_path_is_session_level(pooled):
    # Session mode (direct connections, pgbouncer session mode, Django's pool): the path
    # stays on the server session, which is what lets same-tenant statements send nothing.
    wrapper = DatabaseWrapper(dict(connection.settings_dict), "default")
    try:
        with tenant_context(SchemaDescriptor("pool_a")):
            assert marker(wrapper) == "pool_a"
        assert session_path(wrapper) == '"pool_a", "public"'
    finally:
        wrapper.close()
