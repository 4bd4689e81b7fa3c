"""The harness gives every run a real, fresh PostgreSQL database and tidies up after."""

from __future__ import annotations

import pytest
from django.db import connection
from postgres_harness import DRIVER, PSYCOPG2, connect, start_embedded_server
from postgres_harness.driver import conninfo_to_dict, make_conninfo


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


def test_the_harness_uses_the_driver_djangos_backend_uses():
    # psycopg 3 when importable, else psycopg2: Django's postgresql backend chooses alike, so
    # the tests' own connections speak the driver under test.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    assert ("psycopg" if is_psycopg3 else "psycopg2") == DRIVER
    assert PSYCOPG2 is not is_psycopg3


def test_an_admin_connection_autocommits_binds_parameters_and_closes(fresh_database):
    with connect(fresh_database) as first:
        first.execute("CREATE TABLE admin_probe (name text)")
        first.execute("INSERT INTO admin_probe VALUES (%s), (%s)", ["a%", "b"])
        cursor = first.execute("SELECT name, 5 % 3 FROM admin_probe ORDER BY name")
        assert [column[0] for column in cursor.description] == ["name", "?column?"]
        assert cursor.fetchall() == [("a%", 2), ("b", 2)]
    assert first.closed
    with connect(fresh_database) as second:  # committed: another session sees the rows
        assert second.execute("SELECT count(*) FROM admin_probe").fetchone() == (2,)
        second.execute("DROP TABLE admin_probe")


def test_a_transactional_admin_connection_commits_or_rolls_back_with_its_block(fresh_database):
    with connect(fresh_database) as admin:
        admin.execute("CREATE TABLE admin_tx (id int)")

    def insert_then_fail() -> None:
        with connect(fresh_database, autocommit=False) as failing:
            failing.execute("INSERT INTO admin_tx VALUES (1)")
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        insert_then_fail()
    with connect(fresh_database, autocommit=False) as succeeding:
        succeeding.execute("INSERT INTO admin_tx VALUES (2)")
    with connect(fresh_database) as admin:
        assert admin.execute("SELECT id FROM admin_tx").fetchall() == [(2,)]
        admin.execute("DROP TABLE admin_tx")


def test_conninfo_round_trips_through_either_driver(postgres_server):
    url = postgres_server.url("some_db")
    params = conninfo_to_dict(url)
    assert (params["dbname"], params["host"], str(params["port"])) == (
        "some_db",
        postgres_server.host,
        str(postgres_server.port),
    )
    assert conninfo_to_dict(make_conninfo(**params)) == params
    assert conninfo_to_dict(make_conninfo(dbname="x y", port=None)) == {"dbname": "x y"}


def test_an_embedded_server_starts_with_the_settings_asked_for(tmp_path):
    # bench:scale --shared-buffers: a server sized for a 10,000-schema catalog
    server = start_embedded_server(tmp_path / "cluster", settings={"shared_buffers": "48MB"})
    try:
        with server.connect() as admin:
            assert admin.execute("SHOW shared_buffers").fetchone() == ("48MB",)
            # the harness's own settings still apply
            assert admin.execute("SHOW max_connections").fetchone() == ("300",)
    finally:
        server.stop()


def test_a_setting_that_would_split_the_server_options_is_refused_before_anything_starts(
    tmp_path,
):
    with pytest.raises(ValueError, match="shared_buffers"):
        start_embedded_server(tmp_path / "cluster", settings={"shared_buffers": "1 GB"})
    assert not (tmp_path / "cluster").exists()
