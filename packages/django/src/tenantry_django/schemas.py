"""Schema operations: exists, create, migrate, clone, drop. Identifiers are always quoted.

Each operation runs on the database the tenant lives in; callers choose the transaction.
"""

from __future__ import annotations

import functools
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from psycopg import sql

from tenantry import SchemaDescriptor, Tenant, tenant_context, validate_schema_name
from tenantry_django._conf import get_config


def _execute(database: str, statement: sql.Composable) -> None:
    with connections[database].cursor() as cursor:
        cursor.execute(statement.as_string(None))


def schema_exists(schema_name: str, database: str) -> bool:
    with connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema_name]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def create_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    _execute(database, sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))


def drop_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    forget = getattr(connections[database], "tenantry_forget_schema", None)
    if forget is not None:
        forget(schema_name)
    _execute(
        database, sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name))
    )


@functools.cache
def _migration_nodes() -> frozenset[tuple[str, str]]:
    # The migration graph is fixed for the life of a process (code does not change).
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def project_migrations() -> frozenset[tuple[str, str]]:
    """Every migration of the project as ``(app_label, name)``: what an up-to-date schema has
    recorded (migrations of apps kept out of a schema are recorded there too)."""
    return _migration_nodes()


def schema_app_labels(tenant: Tenant | None) -> frozenset[str]:
    """The app labels whose tables live in ``tenant``'s schema (public's when None)."""
    return get_config().labels_for(tenant)


def public_database() -> str:
    """The database alias holding the public schema and the shared apps."""
    return get_config().public_database


def is_migrated(tenant: Tenant) -> bool:
    """Whether the tenant's schema has recorded every migration the project has."""
    with tenant_context(tenant):
        recorder = MigrationRecorder(connections[tenant.database])
        if not recorder.has_table():
            return False
        return _migration_nodes() <= set(recorder.applied_migrations())


def migrate_schema(tenant: Tenant, *, verbosity: int = 0, skip_if_current: bool = False) -> None:
    """Bring the tenant's schema (which must exist) up to date, as ``migrate`` would.

    Migrations of apps the router keeps out of this schema would run as no-ops (every
    operation, RunPython and RunSQL included, asks the router first), yet Django would still
    replay each one's state changes in Python. They are recorded as applied in one statement
    instead; only the schema's own apps' migrations run. pre_migrate and post_migrate are
    sent with the current app registry, as for a project at its latest state.
    """
    if skip_if_current and is_migrated(tenant):
        return
    with tenant_context(tenant):
        connection = connections[tenant.database]
        executor = MigrationExecutor(connection)
        executor.loader.check_consistent_history(connection)
        targets = executor.loader.graph.leaf_nodes()
        plan = executor.migration_plan(targets)
        if not plan:
            return
        emit_pre_migrate_signal(verbosity, False, connection.alias, plan=plan)
        foreign = [
            migration
            for migration, backwards in plan
            if not backwards and not router.allow_migrate(connection.alias, migration.app_label)
        ]
        if foreign:
            recorder = executor.recorder
            recorder.ensure_schema()
            recorder.migration_qs.bulk_create(
                recorder.Migration(app=m.app_label, name=m.name) for m in foreign
            )
            executor.loader.build_graph()  # re-read what is applied
        executor.migrate(targets, plan=executor.migration_plan(targets))
        emit_post_migrate_signal(verbosity, False, connection.alias, plan=plan)


def migrate_schema_with_command(tenant: Tenant, *, verbosity: int = 0) -> None:
    """Django's own ``migrate`` command run in the tenant's schema (the reference behaviour)."""
    # The class, not the name: tenantry_cli overrides the ``migrate`` command.
    from django.core.management.commands.migrate import Command as DjangoMigrateCommand

    with tenant_context(tenant):
        call_command(
            DjangoMigrateCommand(),
            database=tenant.database,
            interactive=False,
            verbosity=verbosity,
        )


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"INSTALLED_APPS", "MIGRATION_MODULES"}:
        _migration_nodes.cache_clear()


def create_clone_reference(*, verbosity: int = 0) -> SchemaDescriptor:
    """Create (if missing) and migrate the ``CLONE_REFERENCE`` schema new tenants copy."""
    reference = get_config().clone_reference()
    if reference is None:
        raise ImproperlyConfigured(
            'TENANTS["default"]["CLONE_REFERENCE"] is not set; name the schema new tenants '
            'are cloned from, e.g. "sample".'
        )
    with transaction.atomic(using=reference.database):
        if not schema_exists(reference.schema_name, reference.database):
            create_schema(reference.schema_name, reference.database)
        migrate_schema(reference, verbosity=verbosity, skip_if_current=True)
    return reference


def clone_reference() -> SchemaDescriptor | None:
    """The ``CLONE_REFERENCE`` schema new tenants copy; None when it is not configured."""
    return get_config().clone_reference()


def clone_schema(source: str, target: str, database: str) -> None:
    """Create schema ``target`` as a copy of ``source`` (structure and rows) in ``database``.

    Run it inside a transaction, so that a failure halfway leaves no partial schema.
    """
    # Imported here: the cloning module builds on this one (create_schema).
    from tenantry_django._clone import clone_schema as clone

    clone(source, target, database)
