"""The harness gives every run a real, fresh PostgreSQL database and tidies up after."""

from __future__ import annotations

import pytest
from django.db import connection


@pytest.mark.django_db
def test_django_talks_to_a_fresh_database_on_a_real_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database(), current_setting('server_version_num')::int")
        database, version = cursor.fetchone()
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = {name for (name,) in cursor.fetchall()}
    assert connection.vendor == "postgresql"
    assert database.startswith("test_tenantry_")
    assert version >= 140000
    # Only what the shared apps' migrations created: the database was empty before.
    expected = set(connection.introspection.django_table_names()) | {"django_migrations"}
    assert tables == expected


def test_raw_database_fixture_is_empty_and_writable(raw_connection):
    raw_connection.execute("CREATE TABLE probe (id int)")
    raw_connection.execute("INSERT INTO probe VALUES (1)")
    assert raw_connection.execute("SELECT id FROM probe").fetchall() == [(1,)]
    raw_connection.execute("DROP TABLE probe")


def test_the_server_is_the_embedded_one_on_loopback_or_the_one_named(
    postgres_server, raw_connection
):
    (addresses,) = raw_connection.execute("SHOW listen_addresses").fetchone()
    if postgres_server.data_dir is not None:  # started by the harness
        assert addresses == "127.0.0.1"
        assert postgres_server.host == "127.0.0.1"
    else:  # TENANTRY_TEST_DATABASE_URL
        assert raw_connection.info.host == postgres_server.host
