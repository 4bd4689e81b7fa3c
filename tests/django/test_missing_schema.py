"""A tenant whose schema has gone never runs in public: not on a fresh connection, not on a
persistent connection that used the schema before another process dropped it.

A request costs no existence check of its own (postgresql/_search_path.py says why): a data
statement of a tenant whose apps live only in tenant schemas fails closed when the schema
is gone, and the schemas of tenants whose apps are public apps too are checked at every
request boundary.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections, connection
from django.test import override_settings
from postgres_harness import connect, django_conninfo
from sandbox.customers.models import Domain, Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError


def drop_elsewhere(schema: str) -> None:
    """Drop ``schema`` the way another process would: its own connection, committed."""
    with connect(django_conninfo(connection.settings_dict)) as other:
        other.execute(f'DROP SCHEMA "{schema}" CASCADE')


def current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


@pytest.fixture
def vanishing(transactional_db: None) -> Iterator[Tenant]:
    tenant = Tenant(schema_name="vanishing")
    tenant.save()
    Domain.objects.create(tenant=tenant, domain="vanishing.example.com")
    yield tenant
    connection.close()
    tenant.delete(force_drop=True)


def note_titles() -> list[str]:
    return list(Note.objects.values_list("title", flat=True))


def test_a_schema_dropped_by_another_process_fails_at_the_next_request(vanishing):
    with tenant_context(vanishing):
        Note.objects.create(title="vanishing's")
        assert note_titles() == ["vanishing's"]  # the connection has used (and checked) it
    drop_elsewhere("vanishing")
    close_old_connections()  # what Django does when a request (or a Celery task) starts
    for _ in range(3):  # every later unit of work, not only the first
        with (
            tenant_context(vanishing),
            pytest.raises(TenantSchemaMissingError, match='schema "vanishing" does not exist'),
        ):
            note_titles()
        close_old_connections()
    assert current_schema() == "public"  # public itself is untouched


def test_a_schema_dropped_mid_request_fails_the_next_query_too(vanishing):
    with tenant_context(vanishing):
        assert note_titles() == []
        drop_elsewhere("vanishing")
        with pytest.raises(TenantSchemaMissingError, match='schema "vanishing" does not exist'):
            note_titles()
        # and DDL never lands in public
        with pytest.raises(TenantSchemaMissingError), connection.cursor() as cursor:
            cursor.execute("CREATE TABLE made_here (id int)")
    assert "made_here" not in connection.introspection.table_names()


def test_ddl_after_a_request_boundary_checks_the_schema_first(vanishing):
    with tenant_context(vanishing):
        assert note_titles() == []
    drop_elsewhere("vanishing")
    close_old_connections()
    with (
        tenant_context(vanishing),
        pytest.raises(TenantSchemaMissingError),
        connection.cursor() as cursor,
    ):
        cursor.execute("CREATE TABLE made_here (id int)")  # would be made in public
    assert "made_here" not in connection.introspection.table_names()


def test_a_tenant_whose_app_public_holds_too_never_reads_public_rows(vanishing, settings):
    # The notes app installed in public as well: public has its own notes_note table, which
    # "vanishing, public" would find once "vanishing" is gone.
    tenants = {**settings.TENANTS}
    tenants["public"] = {**tenants["public"], "APPS": [*tenants["public"]["APPS"], "sandbox.notes"]}
    with connection.cursor() as cursor:
        cursor.execute('CREATE TABLE public.notes_note (LIKE "vanishing".notes_note INCLUDING ALL)')
        cursor.execute(
            "INSERT INTO public.notes_note (title, body, created_at) "
            "VALUES ('public''s row', '', now())"
        )
    try:
        with override_settings(TENANTS=tenants):
            with tenant_context(vanishing):
                assert note_titles() == []  # the tenant's own table, checked once
            close_old_connections()
            with tenant_context(vanishing):
                assert note_titles() == []
            drop_elsewhere("vanishing")
            close_old_connections()  # the next request
            with tenant_context(vanishing), pytest.raises(TenantSchemaMissingError):
                note_titles()  # not ["public's row"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE public.notes_note")


def test_the_error_names_the_tenant_and_the_database(transactional_db):
    with (
        tenant_context(SchemaDescriptor("never_created")),
        pytest.raises(TenantSchemaMissingError) as raised,
    ):
        current_schema()
    assert "never_created" in str(raised.value)
    assert "'default'" in str(raised.value)


def _wsgi_get(host: str, path: str = "/") -> tuple[str, bytes]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "SERVER_NAME": host,
        "SERVER_PORT": "80",
        "HTTP_HOST": host,
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    status: list[str] = []
    body = WSGIHandler()(environ, lambda line, headers: status.append(line))
    return status[0], b"".join(body)


def test_persistent_connections_serving_requests_never_answer_from_public(
    vanishing, persistent_connection, caplog
):
    # Django's own WSGI handler (not the test client), so request_started/finished run
    # close_old_connections as under gunicorn, with CONN_MAX_AGE keeping the connection.
    status, body = _wsgi_get("vanishing.example.com", "/notes/")
    assert status.startswith("200")
    assert body == b'{"notes": []}'
    backend = connection.connection.info.backend_pid
    drop_elsewhere("vanishing")
    with caplog.at_level(logging.ERROR, logger="django.request"):
        answers = [_wsgi_get("vanishing.example.com", "/notes/") for _ in range(3)]
    assert connection.connection.info.backend_pid == backend  # the same server session
    assert [status[:3] for status, _ in answers] == ["500"] * 3, answers
    errors = [record.exc_info[1] for record in caplog.records if record.exc_info]
    assert len(errors) == 3
    assert all(isinstance(error, TenantSchemaMissingError) for error in errors)


@pytest.fixture
def persistent_connection(transactional_db: None) -> Iterator[None]:
    """CONN_MAX_AGE = None: the connection outlives requests, as under gunicorn."""
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None
    try:
        yield
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = 0
        connection.close()


def test_a_request_costs_no_check_of_its_own(vanishing, persistent_connection, statement_counter):
    with tenant_context(vanishing):
        note_titles()  # the path is set and the schema checked, in one statement
    statement_counter.reset()
    for _ in range(3):
        close_old_connections()  # a request boundary
        with tenant_context(vanishing):
            assert note_titles() == []
            assert note_titles() == []
    # No path statement (the path is right), and no existence check: a data statement of
    # the notes app cannot resolve in public, so it fails closed by itself.
    assert statement_counter.search_path_statements() == 0
    assert statement_counter.statements() == 3 * 2


def test_a_request_of_a_tenant_whose_app_public_holds_too_checks_with_its_first_query(
    vanishing, persistent_connection, statement_counter, settings
):
    tenants = {**settings.TENANTS}
    tenants["public"] = {**tenants["public"], "APPS": [*tenants["public"]["APPS"], "sandbox.notes"]}
    with override_settings(TENANTS=tenants):
        with tenant_context(vanishing):
            note_titles()
        statement_counter.reset()
        for _ in range(3):
            close_old_connections()
            with tenant_context(vanishing):
                assert note_titles() == []
                assert note_titles() == []
    # One existence check per request, in the same round trip as its first query.
    assert statement_counter.search_path_statements() == 0
    assert statement_counter.statements() == 3 * 2 + 3
