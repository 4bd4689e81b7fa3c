"""Which database each app's queries go to, and where each app migrates."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connections, router
from sandbox.blog.models import Post
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import NoActiveTenantError, TenantAppNotInstalledError

ARCHIVE = SchemaDescriptor("archive", database="other")
WWW = SchemaDescriptor("www")


def test_shared_apps_always_use_the_public_database():
    assert router.db_for_read(User) == "default"
    with tenant_context(ARCHIVE):
        assert router.db_for_write(User) == "default"
        assert router.db_for_read(Tenant) == "default"


def test_tenant_apps_go_to_the_active_tenants_database():
    with tenant_context(ARCHIVE):
        assert router.db_for_read(Post) == "other"
    with tenant_context(WWW):
        assert router.db_for_write(Post) == "default"


def test_tenant_apps_without_a_tenant_raise_a_clear_error():
    with pytest.raises(NoActiveTenantError, match=r"notes\.Note belongs to tenant app 'notes'"):
        router.db_for_read(Note)


def test_an_app_not_installed_in_the_active_tenant_is_an_error():
    with (
        tenant_context(WWW),
        pytest.raises(
            TenantAppNotInstalledError, match=r"notes\.Note is not installed in tenant 'www'"
        ),
    ):
        router.db_for_read(Note)


@pytest.mark.parametrize(
    ("tenant", "db", "app_label", "allowed"),
    [
        (None, "default", "auth", True),
        (None, "default", "customers", True),
        (None, "default", "notes", False),
        (None, "other", "auth", False),
        (WWW, "default", "blog", True),
        (WWW, "default", "notes", False),
        (WWW, "default", "auth", False),
        (ARCHIVE, "other", "blog", True),
        (ARCHIVE, "default", "blog", False),
        (SchemaDescriptor("acme"), "default", "notes", True),
        (SchemaDescriptor("acme"), "default", "blog", False),
        (SchemaDescriptor("acme"), "default", "contenttypes", False),
    ],
)
def test_which_apps_migrate_where(tenant, db, app_label, allowed):
    with tenant_context(tenant):
        assert router.allow_migrate(db, app_label) is allowed


@pytest.mark.django_db(databases=["default", "other"])
def test_a_static_tenant_in_its_own_database(static_schema):
    static_schema("www")
    static_schema("archive")
    with tenant_context(ARCHIVE):
        Post.objects.create(title="archived")
        assert Post.objects.db == "other"
        with connections["other"].cursor() as cursor:
            cursor.execute("SELECT current_database(), current_schema()")
            database, schema = cursor.fetchone()
    with tenant_context(WWW):
        assert not Post.objects.exists()
    with tenant_context(ARCHIVE):
        assert list(Post.objects.values_list("title", flat=True)) == ["archived"]
    assert database == connections["other"].settings_dict["NAME"]
    assert schema == "archive"
