"""The migration engine: every schema tenantry migrates goes through here.

Tenant creation, the clone reference, the test template, ``manage.py migrate`` and
``runschema ... migrate`` share one plan (:mod:`._plan`), one way to record migrations
(:mod:`._record`) and one way to send ``pre_migrate``/``post_migrate`` (:mod:`._signals`).
One schema migrates with Django's executor (:mod:`._execute`); many migrate as a fleet
(:mod:`._fleet`): states read at once (:mod:`._state`), one representative per state migrated
while its work is captured (:mod:`._recipe`), replayed into the others (:mod:`._replay`).
A new tenant's empty schema replays a recipe kept for empty schemas (:mod:`._creation`).
A schema is known by its :class:`Place` throughout.
"""

from tenantry_django.migration._creation import forget_creation_recipes, migrate_new_schema
from tenantry_django.migration._execute import (
    ensure_schema_migrated,
    migrate_schema,
    migrate_schema_with_command,
)
from tenantry_django.migration._fleet import FleetMigration, MissingSchemaError, SchemaMigrated
from tenantry_django.migration._place import Place
from tenantry_django.migration._plan import MigrationKey, project_migrations
from tenantry_django.migration._state import SchemaState, is_migrated, read_states

__all__ = [
    "FleetMigration",
    "MigrationKey",
    "MissingSchemaError",
    "Place",
    "SchemaMigrated",
    "SchemaState",
    "ensure_schema_migrated",
    "forget_creation_recipes",
    "is_migrated",
    "migrate_new_schema",
    "migrate_schema",
    "migrate_schema_with_command",
    "project_migrations",
    "read_states",
]
