"""Migrate a new, empty schema by replaying what the first one took: tenant creation.

Every new tenant's schema starts empty and needs the same work: the whole plan. The first
creation in a process migrates for real while its work is captured (:func:`migrate_capturing`);
later ones replay that recipe: the captured SQL in a few round trips (the
``django_migrations`` table created in the first, the migrations recorded in the last), each
``RunPython`` step run again in the new schema against the project state it ran against, and
``pre_migrate``/``post_migrate`` sent as for a migrated schema. All of it happens in the
caller's transaction (``save()`` holds the row and the schema in one).

A recipe is replayed only where it was made for exactly the same thing. It is kept on the
settings object (dropped on any ``setting_changed`` that tenantry reads, ``INSTALLED_APPS``
and ``MIGRATION_MODULES`` included), keyed by the database alias and its backend, the
routers in force, the apps placed in the tenant's schema and the project's migrations (what
an empty schema's plan holds); and it is kept only when the plan it was made from held
exactly those migrations. A plan that cannot be replayed (a non-atomic migration) migrates
with Django's executor every time, as before.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from tenantry import Tenant, describe, tenant_context
from tenantry_django._setup import require_tenancy_setup
from tenantry_django.conf import get_settings
from tenantry_django.migration._execute import migrate_schema
from tenantry_django.migration._plan import Steps, project_migrations
from tenantry_django.migration._recipe import (
    PythonStep,
    Recipe,
    RecipeUnsupportedError,
    SqlStep,
    migrate_capturing,
)
from tenantry_django.migration._record import record_sql
from tenantry_django.migration._replay import run_steps
from tenantry_django.migration._signals import migrate_signals

__all__ = [
    "EmptySchemaRecipe",
    "forget_creation_recipes",
    "migrate_new_schema",
]

_RECIPES = "migration.creation_recipes"

#: Kept instead of a recipe: this plan cannot be replayed, migrate with the executor.
_UNSUPPORTED = object()


@dataclass(frozen=True)
class EmptySchemaRecipe:
    """What an empty schema needs, as steps alone: the recorder's table created by the first
    SQL step and the migrations recorded by the last."""

    plan: Steps
    steps: tuple[SqlStep | PythonStep, ...]


_Recipes = dict[Hashable, "EmptySchemaRecipe | object"]


def _recipes() -> _Recipes:
    return get_settings().derived(_RECIPES, dict)


def _key(tenant: Tenant) -> Hashable:
    """What a recipe for ``tenant``'s new schema depends on (besides the settings object,
    which holds the recipes and is replaced when a setting tenantry reads changes)."""
    return (
        tenant.database,
        connections[tenant.database].vendor,
        # By identity: Django rebuilds them when DATABASE_ROUTERS changes.
        tuple(router.routers),
        get_settings().tenants.labels_for(tenant),
        project_migrations(),
    )


def forget_creation_recipes() -> None:
    """Drop every recipe kept for new schemas (the next creation captures again)."""
    _recipes().clear()


def _plan_is_the_projects(recipe: Recipe) -> bool:
    """Whether the plan the recipe was made from holds every migration of the project and
    nothing else: what an empty schema needs, so what the key promises."""
    planned = {(migration.app_label, migration.name) for migration, _ in recipe.plan}
    return planned == project_migrations() and not any(back for _, back in recipe.plan)


def _joined(steps: Sequence[SqlStep | PythonStep]) -> tuple[SqlStep | PythonStep, ...]:
    """Adjacent SQL steps as one: one round trip."""
    joined: list[SqlStep | PythonStep] = []
    for step in steps:
        previous = joined[-1] if joined else None
        if isinstance(step, SqlStep) and isinstance(previous, SqlStep):
            joined[-1] = SqlStep(f"{previous.text};\n{step.text}")
        else:
            joined.append(step)
    return tuple(joined)


def _recorder_table_sql(connection: BaseDatabaseWrapper) -> str:
    """What ``MigrationRecorder.ensure_schema()`` runs in a schema without the table."""
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        editor.create_model(MigrationRecorder.Migration)
    return ";\n".join(sql.strip().rstrip(";") for sql in editor.collected_sql)


def _for_empty_schemas(connection: BaseDatabaseWrapper, recipe: Recipe) -> EmptySchemaRecipe:
    if not recipe.plan:  # nothing to migrate: not even the recorder's table, as before
        return EmptySchemaRecipe([], ())
    steps = [
        SqlStep(_recorder_table_sql(connection)),
        *recipe.steps,
        SqlStep(record_sql(connection, recipe.recorded)),
    ]
    return EmptySchemaRecipe(recipe.plan, _joined(steps))


def _replay(tenant: Tenant, recipe: EmptySchemaRecipe, verbosity: int) -> None:
    if not recipe.plan:
        return
    connection = connections[tenant.database]
    with migrate_signals(connection.alias, recipe.plan, verbosity=verbosity):
        run_steps(connection, recipe.steps)


def migrate_new_schema(tenant: Tenant, *, verbosity: int = 0) -> None:
    """Bring ``tenant``'s just-created, empty schema up to date, inside the caller's
    transaction: by replaying the recipe kept for such a schema, or (the first time) by
    migrating while capturing one."""
    require_tenancy_setup(f"migrate schema {describe(tenant)!r}", [tenant.database])
    recipes = _recipes()
    key = _key(tenant)
    kept = recipes.get(key)
    if kept is _UNSUPPORTED:
        migrate_schema(tenant, verbosity=verbosity)
        return
    with tenant_context(tenant):
        if isinstance(kept, EmptySchemaRecipe):
            _replay(tenant, kept, verbosity)
            return
        try:
            # A savepoint: whatever the capture did is undone before falling back.
            with transaction.atomic(using=tenant.database):
                recipe = migrate_capturing(tenant, verbosity=verbosity)
        except RecipeUnsupportedError:
            recipes[key] = _UNSUPPORTED
            migrate_schema(tenant, verbosity=verbosity)
            return
    if _plan_is_the_projects(recipe):
        recipes[key] = _for_empty_schemas(connections[tenant.database], recipe)
