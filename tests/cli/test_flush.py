"""``flush``: a flush of public never empties a tenant by surprise. It refuses while tenant
tables reference public's (naming them, flushing nothing), or, with ``--all-schemas``,
flushes every schema: tenants' schemas go with their rows, the others are emptied."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from postgres_harness import AdminConnection
from sandbox.blog.models import Post
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.migration import is_migrated
from tenantry_django.schemas import create_clone_reference

SAMPLE = SchemaDescriptor("sample")  # the sandbox's CLONE_REFERENCE


def schemas(admin: AdminConnection) -> set[str]:
    return {name for (name,) in admin.execute("SELECT nspname FROM pg_namespace").fetchall()}


@pytest.fixture
def authored_fleet(make_fleet: Callable[..., list[Tenant]]) -> list[Tenant]:
    """Two committed tenants; in the first a note whose author is a (shared) user."""
    tenants = make_fleet(2)
    author = User.objects.create(username="author")
    with tenant_context(tenants[0]):
        Note.objects.create(title="by author", author=author)
    return tenants


@pytest.fixture
def reference(admin: AdminConnection) -> Iterator[SchemaDescriptor]:
    """The clone reference, built and committed, with one note of its own; dropped after."""
    create_clone_reference()
    with tenant_context(SAMPLE):
        Note.objects.create(title="sample note")
    yield SAMPLE
    admin.execute("DROP SCHEMA IF EXISTS sample CASCADE")


def test_a_flush_of_public_refuses_naming_the_tenant_tables_and_changes_nothing(
    authored_fleet: list[Tenant], reference: SchemaDescriptor
) -> None:
    with pytest.raises(CommandError) as refused:
        call_command("flush", interactive=False, verbosity=0)

    message = str(refused.value)
    for schema in ("cli_0", "cli_1", "sample"):
        assert f"{schema}.notes_note (references auth_user)" in message
    assert "Nothing was flushed" in message
    assert "manage.py flush --all-schemas" in message
    assert User.objects.filter(username="author").exists()
    assert Tenant.objects.count() == 2
    with tenant_context(authored_fleet[0]):
        assert Note.objects.filter(title="by author").exists()
    with tenant_context(reference):
        assert Note.objects.filter(title="sample note").exists()


def test_all_schemas_drops_the_tenants_schemas_and_empties_the_others(
    authored_fleet: list[Tenant],
    reference: SchemaDescriptor,
    admin: AdminConnection,
) -> None:
    www = SchemaDescriptor("www")
    call_command("migrate", "-s", "www", "--skip-public", verbosity=0)
    with tenant_context(www):
        Post.objects.create(title="static post")
    stdout = io.StringIO()

    call_command("flush", "--all-schemas", interactive=False, stdout=stdout)

    out = stdout.getvalue()
    dropped = "drops the schemas of 2 dynamic tenant(s), whose rows go with public's: cli_0, cli_1"
    assert dropped in out
    assert "empties 2 other schema(s): sample, www" in out
    assert not User.objects.exists()
    assert not Tenant.objects.exists()
    assert not {"cli_0", "cli_1"} & schemas(admin)
    with tenant_context(reference):
        assert not Note.objects.exists()
    assert is_migrated(reference)  # emptied, not unmigrated: new tenants still clone it
    with tenant_context(www):
        assert not Post.objects.exists()


def test_a_tenant_alone_is_flushed_with_runschema(authored_fleet: list[Tenant]) -> None:
    call_command("runschema", "-s", "cli_0", "flush", "--noinput", stdout=io.StringIO())

    with tenant_context(authored_fleet[0]):
        assert not Note.objects.exists()
    with tenant_context(authored_fleet[1]):
        assert Note.objects.filter(title="cli_1").exists()
    assert User.objects.filter(username="author").exists()
