"""Migrate one schema for real while writing down what it took: a *recipe* for the others.

Schemas in the same migration state need the same work. The first one (the
*representative*) is migrated operation by operation, as Django's executor would, while
every statement its schema editor executes is captured. Operations that need Python per
schema (``RunPython``, also inside ``SeparateDatabaseAndState``) are not captured but kept,
with the project state they run against, to be run again in every schema. The recipe is the
captured SQL (rendered with its parameters, joined so each run of statements is one round
trip) and those Python steps, in order, and the migrations to record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connections, router
from django.db.migrations import Migration as DjangoMigration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from tenantry import Tenant

MigrationKey = tuple[str, str]


class RecipeUnsupportedError(Exception):
    """The plan cannot be replayed (e.g. a non-atomic migration): migrate schema by schema."""


@dataclass(frozen=True)
class SqlStep:
    text: str  # one or more statements, parameters rendered in


@dataclass(frozen=True)
class PythonStep:
    app_label: str
    operation: Operation
    from_state: ProjectState  # rendered; RunPython reads models from it


@dataclass
class Recipe:
    steps: list[SqlStep | PythonStep] = field(default_factory=list)
    recorded: list[MigrationKey] = field(default_factory=list)
    plan: list[tuple[DjangoMigration, bool]] = field(default_factory=list)

    @property
    def migrations(self) -> int:
        return len(self.plan)


def needs_python(operation: Operation) -> bool:
    if isinstance(operation, RunPython):
        return True
    if isinstance(operation, SeparateDatabaseAndState):
        return any(needs_python(inner) for inner in operation.database_operations)
    return not operation.reduces_to_sql


def recorded_keys(migration: DjangoMigration) -> list[MigrationKey]:
    # As Django's recorder: a squashed migration records the migrations it replaces.
    if migration.replaces:
        return [(app, name) for app, name in migration.replaces]
    return [(migration.app_label, migration.name)]


class _Capture:
    """Collects what a schema editor executes, rendered to plain SQL text."""

    def __init__(self, compose: Callable[[str, Any], str]) -> None:
        self._compose = compose
        self._statements: list[str] = []
        self.paused = False

    def wrap(self, execute: Callable[..., Any]) -> Callable[..., Any]:
        def capturing_execute(sql: Any, params: Any = ()) -> Any:
            if not self.paused:
                text = self._compose(str(sql), params).strip().rstrip(";")
                if text:
                    self._statements.append(text)
            return execute(sql, params)

        return capturing_execute

    def flush_into(self, steps: list[SqlStep | PythonStep]) -> None:
        if self._statements:
            steps.append(SqlStep(";\n".join(self._statements)))
            self._statements = []


def migrate_capturing(tenant: Tenant, *, verbosity: int = 0) -> Recipe:
    """Migrate ``tenant``'s schema (active, inside the caller's transaction) and return the
    recipe that brings any schema in the same state to the same end."""
    connection = connections[tenant.database]
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    recipe = Recipe(plan=plan)
    if not plan:
        return recipe
    if any(backwards or not migration.atomic for migration, backwards in plan):
        raise RecipeUnsupportedError("the plan holds a non-atomic migration")
    executor.recorder.ensure_schema()
    emit_pre_migrate_signal(verbosity, False, connection.alias, plan=plan)
    # The state after what is applied, rendered once: each operation then updates the
    # rendered models in place instead of rendering them again (Django's executor does this).
    state = executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
    state.apps  # noqa: B018 - render now
    compose = connection.ops.compose_sql  # type: ignore[attr-defined] # PostgreSQL's ops
    for migration, _ in plan:
        label = migration.app_label
        if not router.allow_migrate(connection.alias, label):
            # Kept out of this schema: every operation would be a no-op. Track state only.
            for operation in migration.operations:
                operation.state_forwards(label, state)
            recipe.recorded.extend(recorded_keys(migration))
            continue
        capture = _Capture(compose)
        with connection.schema_editor(atomic=True) as editor:
            editor.execute = capture.wrap(editor.execute)  # type: ignore[method-assign]
            for operation in migration.operations:
                from_state = state.clone()
                operation.state_forwards(label, state)
                if needs_python(operation):
                    capture.flush_into(recipe.steps)
                    capture.paused = True
                    try:
                        operation.database_forwards(label, editor, from_state, state)
                    finally:
                        capture.paused = False
                    recipe.steps.append(PythonStep(label, operation, from_state))
                else:
                    operation.database_forwards(label, editor, from_state, state)
            # Leaving the editor runs its deferred SQL (foreign keys, indexes): captured too.
        capture.flush_into(recipe.steps)
        recipe.recorded.extend(recorded_keys(migration))
    record(tenant, recipe.recorded)
    emit_post_migrate_signal(verbosity, False, connection.alias, plan=plan)
    return recipe


def record(tenant: Tenant, migrations: list[MigrationKey]) -> None:
    """Write ``migrations`` to the schema's ``django_migrations`` in one statement."""
    if not migrations:
        return
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[tenant.database])
    recorder.migration_qs.bulk_create(
        recorder.Migration(app=app, name=name) for app, name in migrations
    )
