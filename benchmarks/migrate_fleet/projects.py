"""The projects compared: how each one sets up its fleet and how it migrates it.

Importing this module does not import Django (the driver reads the names and notes); each
function runs inside a worker whose settings module is the project's own.

Setup (untimed) leaves every project in the same place: public migrated where the project
has one, N tenant rows where the project has a tenant model, and N EMPTY schemas. Rows are
bulk-inserted so no library's save() creates and migrates a schema on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from benchmarks.driver import quote_identifier


@dataclass(frozen=True)
class Project:
    name: str
    settings: str
    setup: Callable[[list[str]], None]
    migrate: Callable[[list[str]], None]
    peer: bool = True  # counted for "best peer" (plain Django and tenantry are not)
    note: str = ""


def _django_migrate_public() -> None:
    """Django's own migrate on the default connection: public gets the shared apps."""
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrate

    # By instance, not by name: tenantry_cli replaces "migrate" with a tenant-aware command.
    call_command(DjangoMigrate(), interactive=False, verbosity=0)


def _setup_tenantry(schemas: list[str]) -> None:
    from sandbox.customers.models import Tenant

    _django_migrate_public()
    Tenant.objects.bulk_create(Tenant(schema_name=schema) for schema in schemas)


def _migrate_tenantry(schemas: list[str]) -> None:
    from django.core.management import call_command

    # Public first, then every dynamic tenant, on TENANTRY_PARALLEL_MAX_PROCESSES threads.
    call_command(
        "migrate", schemas=[":dynamic:"], executor="parallel", interactive=False, verbosity=0
    )


def _migrate_plain(schemas: list[str]) -> None:
    from django.core.management import call_command
    from django.db import connection

    for schema in schemas:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute(f"SET search_path TO {quote_identifier(schema)}")
        call_command("migrate", interactive=False, verbosity=0)


def _setup_django_tenants(schemas: list[str]) -> None:
    from django.core.management import call_command

    from benchmarks.tenant_creation.dt_customers.models import Client

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    Client.objects.bulk_create(Client(schema_name=schema) for schema in schemas)


def _django_tenants(executor: str) -> Callable[[list[str]], None]:
    def migrate(schemas: list[str]) -> None:
        from django.core.management import call_command

        # Tenant schemas only (public was migrated in setup), like the other peers.
        call_command(
            "migrate_schemas", tenant=True, executor=executor, interactive=False, verbosity=0
        )

    return migrate


def _setup_pgschemas(schemas: list[str]) -> None:
    from django.core.management import call_command

    from benchmarks.tenant_creation.pg_customers.models import Tenant

    # Its migrate, without schemas and never interactive, migrates every schema: here only
    # public exists. In-process: from the command line 1.1.0's migrate fails under Django 5.2
    # (KeyError: 'skip_checks'), which 1.3.2 fixed; call_command works with both.
    call_command("migrate", interactive=False, verbosity=0)
    Tenant.objects.bulk_create(Tenant(schema_name=schema) for schema in schemas)


def _pgschemas(parallel: bool) -> Callable[[list[str]], None]:
    def migrate(schemas: list[str]) -> None:
        from django.core.management import call_command

        call_command(
            "migrate", dynamic_schemas=True, parallel=parallel, interactive=False, verbosity=0
        )

    return migrate


def _nothing(schemas: list[str]) -> None:
    """Plain Django has no public or tenant rows to set up, only the empty schemas."""


PROJECTS = [
    Project(
        "tenantry",
        "benchmarks.migrate_fleet.settings_tenantry",
        _setup_tenantry,
        _migrate_tenantry,
        peer=False,
        note="migrate -s :dynamic: --executor parallel (public, then the tenants)",
    ),
    Project(
        "plain Django",
        "benchmarks.migrate_fleet.settings_plain",
        _nothing,
        _migrate_plain,
        peer=False,
        note="Django's migrate once per schema (SET search_path): sequential only, Django "
        "has no parallel mode; it also migrates contenttypes and auth into every schema",
    ),
    Project(
        "django-tenants (standard)",
        "benchmarks.migrate_fleet.settings_django_tenants",
        _setup_django_tenants,
        _django_tenants("standard"),
        note="migrate_schemas --tenant --executor=standard",
    ),
    Project(
        "django-tenants (multiprocessing)",
        "benchmarks.migrate_fleet.settings_django_tenants",
        _setup_django_tenants,
        _django_tenants("multiprocessing"),
        note="migrate_schemas --tenant --executor=multiprocessing (forked processes)",
    ),
    Project(
        "django-pgschemas",
        "benchmarks.migrate_fleet.settings_pgschemas",
        _setup_pgschemas,
        _pgschemas(parallel=False),
        note="migrate --include-dynamic-schemas",
    ),
    Project(
        "django-pgschemas (parallel)",
        "benchmarks.migrate_fleet.settings_pgschemas",
        _setup_pgschemas,
        _pgschemas(parallel=True),
        note="migrate --include-dynamic-schemas --parallel (threads)",
    ),
]
BY_NAME = {project.name: project for project in PROJECTS}
