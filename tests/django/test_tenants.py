"""``tenantry_django.tenants``: any tenant by its static key or schema name, and activated."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from postgres_harness import django_conninfo, terminate_other_sessions
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, get_current_tenant, tenant_context
from tenantry_django.tenants import UnknownTenantError, activate, get_tenant


def test_a_static_key_gives_the_static_tenant_descriptor():
    assert get_tenant("www") == SchemaDescriptor("www", "default", domain="localhost")
    assert get_tenant("public").schema_name == "public"


def test_a_static_tenant_of_another_database_lives_there():
    archive = get_tenant("archive")
    assert (archive.schema_name, archive.database) == ("archive", "other")
    assert get_tenant("archive", database="other") == archive


def test_a_dynamic_schema_name_gives_the_tenant_row(make_tenant):
    acme = make_tenant("acme")
    found = get_tenant("acme")
    assert isinstance(found, Tenant)
    assert found.pk == acme.pk


def test_an_unknown_name_is_a_lookup_error_naming_it_and_close_names(make_tenant):
    make_tenant("acme")
    with pytest.raises(UnknownTenantError) as raised:
        get_tenant("acmee")
    assert isinstance(raised.value, LookupError)
    assert "'acmee'" in str(raised.value)
    assert "acme" in raised.value.candidates
    assert "Did you mean: acme" in str(raised.value)


def test_the_wrong_database_names_where_the_tenant_lives():
    with pytest.raises(UnknownTenantError, match="lives in database 'other'"):
        get_tenant("archive", database="default")


def test_activate_is_a_context_manager_that_restores_the_previous_tenant(make_tenant):
    acme, outer = make_tenant("acme"), make_tenant("outer")
    with tenant_context(outer):
        with activate("acme") as tenant:
            assert tenant.pk == acme.pk
            assert get_current_tenant().schema_name == "acme"
            Note.objects.create(title="in acme")
            assert Note.objects.count() == 1
        assert get_current_tenant() == outer
    assert get_current_tenant() is None


def test_activate_restores_the_previous_tenant_when_the_block_raises(make_tenant):
    make_tenant("acme")
    with pytest.raises(RuntimeError), activate("acme"):
        raise RuntimeError
    assert get_current_tenant() is None


@pytest.mark.django_db
def test_activate_of_an_unknown_name_activates_nothing():
    with pytest.raises(UnknownTenantError), activate("nobody"):
        pytest.fail("the block ran")
    assert get_current_tenant() is None


def test_activate_decorates_a_function_looking_the_tenant_up_per_call(make_tenant):
    @activate("acme")  # written before the tenant exists: nothing is looked up yet
    def schema() -> str:
        return get_current_tenant().schema_name

    make_tenant("acme")
    assert schema() == "acme"
    assert get_current_tenant() is None


@pytest.fixture
def committed_acme(transactional_db):
    tenant = Tenant(schema_name="acme_async")
    tenant.save()
    yield tenant
    # sync_to_async's worker thread keeps its own connection open
    terminate_other_sessions(django_conninfo(connection.settings_dict))
    connection.close()
    tenant.delete(force_drop=True)


def test_activate_works_with_async_with_and_async_functions(committed_acme):
    @sync_to_async
    def count_notes() -> int:
        return Note.objects.count()

    @activate("acme_async")
    async def decorated() -> str:
        return get_current_tenant().schema_name

    async def main() -> tuple[str, int, str, object]:
        async with activate("acme_async") as tenant:
            inside = get_current_tenant().schema_name
            notes = await count_notes()  # the tenant crosses into the worker thread
        return inside, notes, await decorated(), tenant

    inside, notes, from_decorated, tenant = asyncio.run(main())
    assert (inside, notes, from_decorated) == ("acme_async", 0, "acme_async")
    assert tenant.pk == committed_acme.pk
    assert get_current_tenant() is None


def test_activate_a_static_tenant_of_another_database():
    with activate("archive") as archive:
        assert get_current_tenant() == archive
        assert archive.database == "other"
