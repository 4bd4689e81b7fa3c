"""Writing applied migrations to a schema's ``django_migrations``, many in one statement."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.recorder import MigrationRecorder

from tenantry_django.migration._plan import MigrationKey

__all__ = ["record", "record_sql", "recorded_keys"]


def recorded_keys(migration: Migration) -> list[MigrationKey]:
    """What Django's executor records for ``migration``: a squashed migration records the
    migrations it replaces."""
    if migration.replaces:
        return [(app, name) for app, name in migration.replaces]
    return [(migration.app_label, migration.name)]


def record(connection: BaseDatabaseWrapper, migrations: Sequence[MigrationKey]) -> None:
    """Record ``migrations`` as applied in the active schema, in one statement."""
    if not migrations:
        return
    recorder = MigrationRecorder(connection)
    recorder.migration_qs.bulk_create(
        recorder.Migration(app=app, name=name) for app, name in migrations
    )


def record_sql(connection: BaseDatabaseWrapper, migrations: Sequence[MigrationKey]) -> str:
    """The one statement :func:`record` runs, as SQL text to run later in any schema (each
    row's ``applied`` is when that statement starts, as Django's is when it records)."""
    quote = connection.ops.quote_name
    table = quote(MigrationRecorder.Migration._meta.db_table)
    rows = ", ".join(["(%s, %s, statement_timestamp())"] * len(migrations))
    params = [value for key in migrations for value in key]
    return connection.ops.compose_sql(  # type: ignore[attr-defined] # PostgreSQL's
        f"INSERT INTO {table} ({quote('app')}, {quote('name')}, {quote('applied')}) VALUES {rows}",
        params,
    )
