"""Without tenantry's backend or router, tenants would share public: the checks say so as
errors, and migrate and tenant creation refuse to run, changing nothing, with the fix."""

from __future__ import annotations

import copy
import uuid

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection
from django.test import override_settings
from sandbox.customers.models import Tenant

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.checks import check_tenants
from tenantry_django.errors import TenancySetupError
from tenantry_django.migration import (
    FleetMigration,
    ensure_schema_migrated,
    migrate_schema,
    migrate_schema_with_command,
)
from tenantry_django.routers import TenantRouter
from tenantry_django.schemas import create_schema, schema_exists
from tenantry_django.testing import create_tenant

ROUTER = "tenantry_django.routers.TenantRouter"
ENGINE = "tenantry_django.postgresql"
STOCK = "django.db.backends.postgresql"

no_router = override_settings(DATABASE_ROUTERS=[])


def stock_engine(*aliases: str) -> override_settings:
    databases = copy.deepcopy(settings.DATABASES)
    for alias in aliases or tuple(databases):
        databases[alias]["ENGINE"] = STOCK
    return override_settings(DATABASES=databases)


@pytest.fixture
def without_the_backend():
    """DATABASES naming Django's own backend (the open connections stay tenantry's)."""
    with pytest.warns(UserWarning, match="Overriding setting DATABASES"), stock_engine():
        yield


def test_a_missing_router_is_an_error_saying_what_to_add():
    with no_router:
        (message,) = check_tenants()
    assert (message.id, message.is_serious()) == ("tenantry.E024", True)
    assert ROUTER in message.msg
    assert message.hint == f'Add "{ROUTER}" to DATABASE_ROUTERS.'


def test_a_database_without_the_backend_is_an_error_naming_it_and_the_engine(
    without_the_backend,
):
    messages = check_tenants()
    assert [(m.id, m.is_serious()) for m in messages] == [
        ("tenantry.E023", True),  # public's database
        ("tenantry.E023", True),  # static tenant 'archive' lives in 'other'
    ]
    assert 'DATABASES["default"]["ENGINE"] is \'django.db.backends.postgresql\'' in (
        messages[0].msg
    )
    assert messages[0].hint == f'Set DATABASES["default"]["ENGINE"] = "{ENGINE}".'
    assert messages[1].hint == f'Set DATABASES["other"]["ENGINE"] = "{ENGINE}".'


def test_a_postgis_project_is_told_to_keep_its_engine_as_the_original_backend():
    databases = copy.deepcopy(settings.DATABASES)
    databases["default"]["ENGINE"] = "django.contrib.gis.db.backends.postgis"
    with pytest.warns(UserWarning, match="DATABASES"), override_settings(DATABASES=databases):
        (message,) = check_tenants()
    assert message.hint == (
        f'Set DATABASES["default"]["ENGINE"] = "{ENGINE}" and TENANTRY_ORIGINAL_BACKEND = '
        '"django.contrib.gis.db.backends.postgis" (tenantry wraps it).'
    )


class ProjectRouter(TenantRouter):
    """A project's router built on tenantry's."""


@pytest.mark.parametrize("router", [ProjectRouter, ProjectRouter()], ids=["class", "instance"])
def test_a_router_built_on_tenantry_s_is_tenantry_s_router(router):
    with override_settings(DATABASE_ROUTERS=[router]):
        assert check_tenants() == []


def test_manage_py_check_fails_without_the_router():
    with no_router, pytest.raises(SystemCheckError, match=r"tenantry\.E024"):
        call_command("check")


def public_tables() -> set[str]:
    with tenant_context(None), connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["migrate", DjangoMigrateCommand()], ids=["cli", "django"])
def test_call_command_migrate_refuses_without_the_router(command):
    before = public_tables()
    with no_router, pytest.raises(TenancySetupError) as refused:
        call_command(command, interactive=False, verbosity=0)
    message = str(refused.value)
    assert message.startswith("Refusing to migrate database 'default'; nothing was changed.")
    assert f'Fix: Add "{ROUTER}" to DATABASE_ROUTERS. (tenantry.E024)' in message
    assert public_tables() == before


@pytest.mark.django_db
def test_call_command_migrate_refuses_without_the_backend(without_the_backend):
    with pytest.raises(TenancySetupError, match=r"tenantry\.E023") as refused:
        call_command(DjangoMigrateCommand(), interactive=False, verbosity=0)
    assert f'Fix: Set DATABASES["default"]["ENGINE"] = "{ENGINE}".' in str(refused.value)


def assert_nothing_created(schema_name: str) -> None:
    assert not schema_exists(schema_name, "default")
    assert not Tenant.objects.filter(schema_name=schema_name).exists()


@pytest.mark.django_db
def test_a_tenant_is_not_created_without_the_router():
    name = f"refused_{uuid.uuid4().hex[:8]}"
    with no_router, pytest.raises(TenancySetupError) as refused:
        Tenant(schema_name=name).save()
    assert str(refused.value).startswith(f"Refusing to create tenant {name!r}; nothing was")
    assert "tenantry.E024" in str(refused.value)
    assert_nothing_created(name)


@pytest.mark.django_db
def test_a_tenant_is_not_created_without_the_backend(without_the_backend):
    name = f"refused_{uuid.uuid4().hex[:8]}"
    with pytest.raises(TenancySetupError, match=r"tenantry\.E023"):
        Tenant(schema_name=name).save()
    assert_nothing_created(name)


@pytest.mark.django_db
def test_the_test_helpers_refuse_too():
    name = f"refused_{uuid.uuid4().hex[:8]}"
    with no_router, pytest.raises(TenancySetupError, match=r"tenantry\.E024"):
        create_tenant(name, domain="refused.test")
    assert_nothing_created(name)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "migrate",
    [
        migrate_schema,
        ensure_schema_migrated,
        migrate_schema_with_command,
        lambda schema: FleetMigration([schema]),
    ],
    ids=["migrate_schema", "ensure_schema_migrated", "with_command", "fleet"],
)
def test_the_migration_engine_refuses_before_touching_a_schema(migrate):
    schema = SchemaDescriptor(f"engine_{uuid.uuid4().hex[:10]}")
    create_schema(schema.schema_name, schema.database)
    with no_router, pytest.raises(TenancySetupError, match=r"Refusing to migrate"):
        migrate(schema)
    with tenant_context(None), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", [schema.schema_name])
        assert cursor.fetchone() == (0,)


def test_a_silenced_check_is_not_enforced_either():
    """A project whose own router wraps tenantry's silences tenantry.E024, at its risk."""
    from tenantry_django._setup import require_tenancy_setup

    with no_router, override_settings(SILENCED_SYSTEM_CHECKS=["tenantry.E024"]):
        require_tenancy_setup("migrate", ["default"])
    with no_router, pytest.raises(TenancySetupError):
        require_tenancy_setup("migrate", ["default"])


@pytest.mark.django_db
def test_manage_py_migrate_stops_at_the_system_checks():
    """``manage.py migrate`` runs the checks first (``call_command`` only when asked)."""
    before = public_tables()
    with no_router, pytest.raises(SystemCheckError, match=r"tenantry\.E024"):
        call_command("migrate", interactive=False, verbosity=0, skip_checks=False)
    assert public_tables() == before
