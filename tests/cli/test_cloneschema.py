"""``cloneschema SOURCE TARGET``: a complete copy or nothing, and clear refusals.

Each test runs in a transaction that is rolled back, schema changes included.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.schemas import schema_exists

pytestmark = pytest.mark.django_db


def cloneschema(*args: str) -> str:
    stdout = io.StringIO()
    call_command("cloneschema", *args, stdout=stdout)
    return stdout.getvalue()


@pytest.fixture
def source() -> Tenant:
    tenant = Tenant(schema_name="clone_src")
    tenant.save()
    with tenant_context(tenant):
        Note.objects.create(title="copied along")
    return tenant


@pytest.mark.usefixtures("source")
def test_copies_structure_and_rows_into_a_new_schema() -> None:
    out = cloneschema("clone_src", "clone_dst")

    assert out == "Cloned schema 'clone_src' into 'clone_dst' in database 'default'.\n"
    copy = SchemaDescriptor("clone_dst")
    with tenant_context(copy):
        assert list(Note.objects.values_list("title", flat=True)) == ["copied along"]
        Note.objects.create(title="only in the copy")  # sequences and tables are its own
    with tenant_context(SchemaDescriptor("clone_src")):
        assert list(Note.objects.values_list("title", flat=True)) == ["copied along"]


@pytest.mark.usefixtures("source")
@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("Clone_Dst", "it must be lowercase (did you mean 'clone_dst'?)"),
        ("pg_clone", "names starting with 'pg_' are reserved by PostgreSQL"),
        ("clone-dst", "character '-' at position 5 is not allowed"),
    ],
)
def test_invalid_target_is_refused_with_the_reason(target: str, reason: str) -> None:
    with pytest.raises(CommandError) as raised:
        cloneschema("clone_src", target)

    assert f"Cannot use {target!r} as the target: {reason}" in str(raised.value)
    assert not schema_exists(target, "default")


@pytest.mark.usefixtures("source")
def test_existing_target_is_refused_and_left_alone() -> None:
    Tenant(schema_name="clone_taken").save()

    with pytest.raises(CommandError, match="Target schema 'clone_taken' already exists"):
        cloneschema("clone_src", "clone_taken")

    with tenant_context(SchemaDescriptor("clone_taken")):
        assert not Note.objects.exists()


def test_missing_source_is_refused() -> None:
    with pytest.raises(CommandError, match="Source schema 'nowhere' does not exist in 'default'"):
        cloneschema("nowhere", "clone_dst")

    assert not schema_exists("clone_dst", "default")


def test_public_is_not_a_source() -> None:
    with pytest.raises(CommandError, match="Cannot use 'public' as the source"):
        cloneschema("public", "clone_dst")


def test_unknown_database_is_refused() -> None:
    with pytest.raises(CommandError, match="Unknown database 'elsewhere'; configured: default"):
        cloneschema("clone_src", "clone_dst", "--database", "elsewhere")


@pytest.mark.usefixtures("source")
def test_a_failure_halfway_leaves_no_target(monkeypatch: pytest.MonkeyPatch) -> None:
    from tenantry_cli.management.commands import cloneschema as command_module

    real_clone = command_module.clone_schema

    def clone_then_fail(*args: Any) -> None:
        real_clone(*args)
        raise RuntimeError("disk full")

    monkeypatch.setattr(command_module, "clone_schema", clone_then_fail)

    with pytest.raises(RuntimeError, match="disk full"):
        cloneschema("clone_src", "clone_dst")

    assert not schema_exists("clone_dst", "default")


@pytest.mark.usefixtures("source")
@pytest.mark.parametrize(
    ("target", "owner"),
    [
        ("clone_no_schema_yet", "dynamic tenant 'clone_no_schema_yet' (database 'default')"),
        ("www", "static tenant 'www'"),
    ],
)
def test_a_tenants_schema_is_never_a_target(target: str, owner: str) -> None:
    # A tenant row whose schema is not created yet (migrate would create it empty).
    Tenant.objects.bulk_create([Tenant(schema_name="clone_no_schema_yet")])

    with pytest.raises(CommandError) as refused:
        cloneschema("clone_src", target)

    assert f"Target schema {target!r} in 'default' belongs to {owner}" in str(refused.value)

    assert not schema_exists(target, "default")
