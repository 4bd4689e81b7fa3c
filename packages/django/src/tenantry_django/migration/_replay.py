"""Apply a recipe to one schema: its SQL in as few round trips as possible, its Python steps
run against the project state the representative had, its migrations recorded."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder

from tenantry import Tenant
from tenantry_django.migration._recipe import PythonStep, Recipe, SqlStep
from tenantry_django.migration._record import record
from tenantry_django.migration._signals import migrate_signals

__all__ = ["replay", "run_steps"]


def run_steps(connection: BaseDatabaseWrapper, steps: Sequence[SqlStep | PythonStep]) -> None:
    """Run a recipe's steps in the active schema: each SQL step in one round trip, each
    Python step against the states it had when captured."""
    for step in steps:
        if isinstance(step, SqlStep):
            with connection.cursor() as cursor:
                cursor.execute(step.text)
        else:
            with connection.schema_editor(atomic=False) as editor:
                step.operation.database_forwards(
                    step.app_label, editor, step.from_state, step.to_state
                )


def replay(tenant: Tenant, recipe: Recipe, *, verbosity: int = 0) -> None:
    """Run ``recipe`` in ``tenant``'s schema (active, inside the caller's transaction)."""
    connection = connections[tenant.database]
    MigrationRecorder(connection).ensure_schema()
    with migrate_signals(connection.alias, recipe.plan, verbosity=verbosity):
        run_steps(connection, recipe.steps)
        record(connection, recipe.recorded)
