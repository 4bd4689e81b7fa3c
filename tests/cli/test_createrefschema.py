"""``createrefschema``: the clone reference built, migrated, rebuilt on request.

Each test runs in a transaction that is rolled back, schema changes included.
"""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.migration import is_migrated
from tenantry_django.schemas import schema_exists

pytestmark = pytest.mark.django_db

SAMPLE = SchemaDescriptor("sample")  # the sandbox's CLONE_REFERENCE


def check_deferred_constraints() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def createrefschema(*args: str) -> str:
    stdout = io.StringIO()
    call_command("createrefschema", *args, stdout=stdout)
    return stdout.getvalue()


@pytest.fixture(autouse=True)
def _no_reference_yet() -> None:
    assert not schema_exists("sample", "default"), "another test left the reference behind"


def test_creates_and_migrates_the_reference() -> None:
    out = createrefschema()

    assert out == "Created and migrated clone reference sample.\n"
    assert schema_exists("sample", "default")
    assert is_migrated(SAMPLE)


def test_a_current_reference_is_left_alone() -> None:
    createrefschema()
    with tenant_context(SAMPLE):
        Note.objects.create(title="kept")

    out = createrefschema()

    assert out == "Clone reference sample is already up to date; nothing to do.\n"
    with tenant_context(SAMPLE):
        assert list(Note.objects.values_list("title", flat=True)) == ["kept"]


def test_recreate_drops_and_rebuilds_it() -> None:
    createrefschema()
    with tenant_context(SAMPLE):
        Note.objects.create(title="stale")
    check_deferred_constraints()  # as a commit would; DROP refuses pending trigger events

    out = createrefschema("--recreate")

    assert out == (
        "Dropped clone reference sample.\nCreated and migrated clone reference sample.\n"
    )
    assert is_migrated(SAMPLE)
    with tenant_context(SAMPLE):
        assert not Note.objects.exists()


def test_without_a_configured_reference_it_says_what_to_set() -> None:
    tenants = {**settings.TENANTS, "default": {**settings.TENANTS["default"]}}
    del tenants["default"]["CLONE_REFERENCE"]

    with (
        override_settings(TENANTS=tenants),
        pytest.raises(CommandError, match=r'set TENANTS\["default"\]\["CLONE_REFERENCE"\]'),
    ):
        createrefschema()

    assert not schema_exists("sample", "default")


@pytest.mark.parametrize("recreate", [[], ["--recreate"]])
def test_a_reference_that_is_a_dynamic_tenants_schema_is_refused(recreate: list[str]) -> None:
    tenant = Tenant(schema_name="r000")
    tenant.save()
    with tenant_context(tenant):
        Note.objects.create(title="the tenant's own")
    check_deferred_constraints()
    tenants = {**settings.TENANTS, "default": {**settings.TENANTS["default"]}}
    tenants["default"]["CLONE_REFERENCE"] = "r000"

    with override_settings(TENANTS=tenants), pytest.raises(CommandError) as refused:
        createrefschema(*recreate)

    assert "names schema 'r000', which belongs to dynamic tenant 'r000' (database 'default')" in (
        str(refused.value)
    )
    assert "nothing was dropped or migrated" in str(refused.value)
    with tenant_context(tenant):
        assert list(Note.objects.values_list("title", flat=True)) == ["the tenant's own"]


def test_a_reference_that_is_a_static_tenants_schema_is_refused() -> None:
    tenants = {**settings.TENANTS, "default": {**settings.TENANTS["default"]}}
    tenants["default"]["CLONE_REFERENCE"] = "www"

    with override_settings(TENANTS=tenants), pytest.raises(CommandError, match="static tenant"):
        createrefschema("--recreate")

    assert not schema_exists("www", "default")
