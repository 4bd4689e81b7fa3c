"""The test helpers users get: pytest fixtures and TenantTestCase."""

from __future__ import annotations

import json

from django.db import connection
from django.test import override_settings
from sandbox.notes.models import Note, Tag

from tenantry import get_current_tenant, tenant_context
from tenantry_django.testing import TEMPLATE_SCHEMA, TenantClient, TenantTestCase


def test_tenant_fixture_is_a_ready_migrated_tenant(tenant):
    assert tenant.pk is not None
    with tenant_context(tenant):
        assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]
        Note.objects.create(title="from a test")
    assert tenant.domains.get().domain == "tenant.test"


def test_the_factory_makes_several_tenants_from_the_template(tenant_factory):
    first = tenant_factory(domain="one.test")
    second = tenant_factory(domain="shared.test", folder="two")
    assert first.schema_name != second.schema_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [TEMPLATE_SCHEMA])
        assert cursor.fetchone() == (1,)
    client = TenantClient(second)
    response = client.get(client.url("/"))
    assert json.loads(response.content)["tenant"] == second.schema_name
    assert json.loads(response.content)["url"] == "/two/"


def test_tenant_client_talks_to_its_tenant(tenant, tenant_client):
    with tenant_context(tenant):
        Note.objects.create(title="visible")
    response = tenant_client.get("/notes/")
    assert json.loads(response.content) == {"notes": ["visible"]}


def test_tenants_of_one_test_are_gone_in_the_next(tenant_factory):
    tenant_factory(schema_name="only_once")
    # the same name again would fail if the previous test's schema had survived


def test_tenants_of_one_test_are_gone_in_the_next_again(tenant_factory):
    tenant_factory(schema_name="only_once")


class NotesTests(TenantTestCase):
    def test_the_tenant_is_active_during_each_test(self):
        assert get_current_tenant() == self.tenant
        Note.objects.create(title="unittest")
        assert Note.objects.count() == 1

    def test_the_client_calls_the_tenant(self):
        response = self.tenant_client.get("/")
        assert json.loads(response.content)["tenant"] == self.tenant.schema_name


# What Django's test runner makes of a project's default ALLOWED_HOSTS = [].
TEST_RUNNER_DEFAULT = ["testserver"]


def test_the_tenant_client_works_with_the_project_s_default_allowed_hosts(tenant, tenant_client):
    """The README's example, in a project that lists no test domain in ALLOWED_HOSTS."""
    from django.conf import settings
    from django.test import Client

    with override_settings(ALLOWED_HOSTS=TEST_RUNNER_DEFAULT):
        response = tenant_client.get("/notes/")
        assert response.status_code == 200
        assert json.loads(response.content) == {"notes": []}
        # Allowed for the client's requests only, not for the rest of the test.
        assert settings.ALLOWED_HOSTS == TEST_RUNNER_DEFAULT
        assert Client().get("/", headers={"host": "tenant.test"}).status_code == 400


def test_hosts_allowed_already_change_no_setting():
    from django.conf import settings

    from tenantry_django.testing import allowed_test_hosts

    with allowed_test_hosts("tenant.test", "acme.test"):
        assert settings.ALLOWED_HOSTS == ["*", "testserver"]  # the sandbox's, untouched
    with override_settings(ALLOWED_HOSTS=["testserver"]), allowed_test_hosts("acme.test"):
        assert settings.ALLOWED_HOSTS == ["testserver", "acme.test"]


@override_settings(ALLOWED_HOSTS=TEST_RUNNER_DEFAULT)
class DefaultAllowedHostsTests(TenantTestCase):
    def test_the_client_calls_the_tenant(self):
        response = self.tenant_client.get("/")
        assert response.status_code == 200
        assert json.loads(response.content)["tenant"] == self.tenant.schema_name
