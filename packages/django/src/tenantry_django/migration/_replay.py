"""Apply a recipe to one schema: its SQL in as few round trips as possible, its Python steps
run against the project state the representative had, its migrations recorded."""

from __future__ import annotations

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from tenantry import Tenant
from tenantry_django.migration._recipe import Recipe, SqlStep
from tenantry_django.migration._record import record
from tenantry_django.migration._signals import migrate_signals

__all__ = ["replay"]


def replay(tenant: Tenant, recipe: Recipe, *, verbosity: int = 0) -> None:
    """Run ``recipe`` in ``tenant``'s schema (active, inside the caller's transaction)."""
    connection = connections[tenant.database]
    MigrationRecorder(connection).ensure_schema()
    with migrate_signals(connection.alias, recipe.plan, verbosity=verbosity):
        for step in recipe.steps:
            if isinstance(step, SqlStep):
                with connection.cursor() as cursor:
                    cursor.execute(step.text)
            else:
                with connection.schema_editor(atomic=False) as editor:
                    # RunPython reads its models from the state before it; the one after is
                    # unused.
                    step.operation.database_forwards(
                        step.app_label, editor, step.from_state, step.from_state
                    )
        record(connection, recipe.recorded)
