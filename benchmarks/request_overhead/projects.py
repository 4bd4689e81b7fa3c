"""Each project's tenants for the request benchmark: 20 of them, one note each.

``set_up(library)`` creates them in the project's own way and returns host -> the body its
page must have.
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks import driver

TENANTS = 20


HOSTS = {f"tenant{i}.bench": f"note of tenant{i}" for i in range(TENANTS)}


def _set_up_plain() -> dict[str, str]:
    from django.core.management import call_command
    from sandbox.notes.models import Note

    call_command("migrate", verbosity=0, interactive=False)
    Note.objects.create(title="note of plain")
    return dict.fromkeys(HOSTS, "note of plain")


def _set_up_plain_schemas() -> dict[str, str]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        for i in range(TENANTS):
            schema = driver.quote_identifier(f"tenant{i}")
            cursor.execute(f"CREATE SCHEMA {schema}")
            cursor.execute(
                f"CREATE TABLE {schema}.notes_note (LIKE public.notes_note INCLUDING ALL)"
            )
            cursor.execute(
                f"INSERT INTO {schema}.notes_note (title, body, created_at) VALUES (%s, '', now())",
                [f"note of tenant{i}"],
            )
    return HOSTS


def _set_up_tenantry() -> dict[str, str]:
    from django.core.management import call_command
    from sandbox.customers.models import Domain, Tenant
    from sandbox.notes.models import Note

    from tenantry import tenant_context

    call_command("migrate", verbosity=0, interactive=False)
    for i in range(TENANTS):
        tenant = Tenant(schema_name=f"tenant{i}")
        tenant.save()
        Domain.objects.create(tenant=tenant, domain=f"tenant{i}.bench")
        with tenant_context(tenant):
            Note.objects.create(title=f"note of tenant{i}")
    return HOSTS


def _set_up_django_tenants() -> dict[str, str]:
    from django.core.management import call_command
    from django_tenants.utils import schema_context
    from sandbox.notes.models import Note

    from benchmarks.tenant_creation.dt_customers.models import Client
    from benchmarks.tenant_creation.dt_customers.models import Domain as DtDomain

    call_command("migrate_schemas", shared=True, verbosity=0, interactive=False)
    Client(schema_name="public").save(verbosity=0)
    for i in range(TENANTS):
        client = Client(schema_name=f"tenant{i}")
        client.save(verbosity=0)
        DtDomain.objects.create(tenant=client, domain=f"tenant{i}.bench", is_primary=True)
        with schema_context(f"tenant{i}"):
            Note.objects.create(title=f"note of tenant{i}")
    return HOSTS


def _set_up_pgschemas() -> dict[str, str]:
    from django.core.management import call_command
    from sandbox.notes.models import Note

    from benchmarks.tenant_creation.pg_customers.models import Domain as PgDomain
    from benchmarks.tenant_creation.pg_customers.models import Tenant as PgTenant

    call_command("migrate", verbosity=0, interactive=False)
    for i in range(TENANTS):
        tenant = PgTenant(schema_name=f"tenant{i}")
        tenant.save(verbosity=0)
        PgDomain.objects.create(tenant=tenant, domain=f"tenant{i}.bench", is_primary=True)
        with tenant:
            Note.objects.create(title=f"note of tenant{i}")
    return HOSTS


_SET_UPS: dict[str, Callable[[], dict[str, str]]] = {
    "plain Django": _set_up_plain,
    "plain Django, 20 schemas": _set_up_plain_schemas,
    "tenantry": _set_up_tenantry,
    "django-tenants": _set_up_django_tenants,
    "django-pgschemas": _set_up_pgschemas,
}


def set_up(library: str) -> dict[str, str]:
    """Create the tenants; return host -> the body its page must have."""
    return _SET_UPS[library]()
