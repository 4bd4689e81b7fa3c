"""Schema operations: exists, create, migrate, clone, drop. Identifiers are always quoted.

Each operation runs on the database the tenant lives in; callers choose the transaction.
"""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import DatabaseError, connections, router, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from tenantry import (
    SchemaDescriptor,
    Tenant,
    quote_identifier,
    tenant_context,
    validate_schema_name,
)
from tenantry_django._conf import get_config
from tenantry_django._flush import EverySchemaPlan, every_schema_plan
from tenantry_django._flush import flushing_every_schema as flushing_every_schema


def _execute(database: str, statement: str) -> None:
    with connections[database].cursor() as cursor:
        cursor.execute(statement)


def schema_exists(schema_name: str, database: str) -> bool:
    with connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema_name]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def create_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    _execute(database, f"CREATE SCHEMA {quote_identifier(schema_name)}")


def drop_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    from tenantry_django.postgresql.base import DatabaseWrapper  # (imports the backend)

    if isinstance(connection := connections[database], DatabaseWrapper):
        connection.tenantry_forget_schema(schema_name)  # checked again before use
    _execute(database, f"DROP SCHEMA IF EXISTS {quote_identifier(schema_name)} CASCADE")


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


def schema_owner(schema_name: str, database: str | None = None) -> str | None:
    """The tenant whose schema ``schema_name`` is (in ``database``; None: in any), described
    for a message (``static tenant 'www'``, ``dynamic tenant 'acme' (database 'default')``),
    or None. Dynamic tenants are looked up in their table; before it exists there are none.
    """
    config = get_config()
    static = config.statics.get(schema_name)
    if static is not None and database in (None, static.database):
        return f"static tenant {schema_name!r}"
    if config.dynamic is None:
        return None
    model = apps.get_model(config.dynamic.tenant_model)
    rows = model._default_manager.using(config.public_database).filter(schema_name=schema_name)
    if database is not None:
        rows = rows.filter(database=database)
    try:  # a savepoint: a missing table must not break the caller's transaction
        with transaction.atomic(using=config.public_database):
            found = rows.values_list("database", flat=True).first()
    except DatabaseError:
        return None  # not migrated yet: no dynamic tenants
    if found is None:
        return None
    return f"dynamic tenant {schema_name!r} (database {found!r})"


def clone_reference_owner() -> str | None:
    """The tenant whose schema ``CLONE_REFERENCE`` names (see :func:`schema_owner`), or None.

    The reference is copied, rows included, into every new tenant, and ``createrefschema
    --recreate`` drops it: it must never be a tenant's schema.
    """
    reference = clone_reference()
    if reference is None:
        return None
    return schema_owner(reference.schema_name)


def refuse_a_tenant_as_clone_reference() -> None:
    """Raise ``ImproperlyConfigured`` when ``CLONE_REFERENCE`` is a tenant's schema."""
    reference = clone_reference()
    owner = clone_reference_owner()
    if reference is not None and owner is not None:
        raise ImproperlyConfigured(
            f'TENANTS["default"]["CLONE_REFERENCE"] names schema {reference.schema_name!r}, '
            f"which belongs to {owner}: a new tenant would be cloned from it, rows included. "
            "Point CLONE_REFERENCE at a schema no tenant uses (tenantry.E022)."
        )


def clone_schema(source: str, target: str, database: str) -> None:
    """Create schema ``target`` as a copy of ``source`` (structure and rows) in ``database``.

    Run it inside a transaction, so that a failure halfway leaves no partial schema.
    """
    # Imported here: the cloning module builds on this one (create_schema).
    from tenantry_django._clone import clone_schema as clone

    clone(source, target, database)


def every_schema_flush_plan(database: str) -> EverySchemaPlan:
    """What a flush of ``database`` within :func:`flushing_every_schema` drops (``dropped``:
    the schemas of the dynamic tenants whose rows go) and empties besides public's tables
    (``emptied``: ``(schema, table)`` pairs)."""
    connection = connections[database]
    with tenant_context(None):
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        return every_schema_plan(connection, tables)
