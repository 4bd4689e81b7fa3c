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

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.operations import RunPython, SeparateDatabaseAndState
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from tenantry import Tenant
from tenantry_django.migration._plan import MigrationKey, Steps, plan_active_schema
from tenantry_django.migration._record import record, recorded_keys
from tenantry_django.migration._signals import migrate_signals

__all__ = ["Recipe", "RecipeUnsupportedError", "SqlStep", "migrate_capturing"]


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
    to_state: ProjectState  # the state after it, for operations that read it


@dataclass
class Recipe:
    steps: list[SqlStep | PythonStep] = field(default_factory=list)
    recorded: list[MigrationKey] = field(default_factory=list)
    plan: Steps = field(default_factory=list)
    #: Migrations of the plan only recorded: the router keeps their app out of the schema.
    recorded_only: int = 0

    @property
    def migrations(self) -> int:
        """Every migration of the plan: applied, or only recorded."""
        return len(self.plan)

    @property
    def applied(self) -> int:
        """Migrations whose operations ran in the schema."""
        return self.migrations - self.recorded_only


def needs_python(operation: Operation) -> bool:
    if isinstance(operation, RunPython):
        return True
    if isinstance(operation, SeparateDatabaseAndState):
        return any(needs_python(inner) for inner in operation.database_operations)
    return not operation.reduces_to_sql


class _Capture:
    """Collects what a schema editor executes, rendered to plain SQL text."""

    def __init__(self, compose: Callable[[str, Any], str]) -> None:
        self._compose = compose
        self._statements: list[str] = []
        self._paused = False

    def wrap(self, execute: Callable[..., Any]) -> Callable[..., Any]:
        def capturing_execute(sql: Any, params: Any = ()) -> Any:
            if not self._paused:
                text = self._compose(str(sql), params).strip().rstrip(";")
                if text:
                    self._statements.append(text)
            return execute(sql, params)

        return capturing_execute

    @contextmanager
    def paused(self) -> Iterator[None]:
        self._paused = True
        try:
            yield
        finally:
            self._paused = False

    def flush_into(self, steps: list[SqlStep | PythonStep]) -> None:
        if self._statements:
            steps.append(SqlStep(";\n".join(self._statements)))
            self._statements = []


def _apply_capturing(
    connection: BaseDatabaseWrapper, migration: Migration, state: ProjectState, recipe: Recipe
) -> None:
    """Run ``migration``'s operations (``state`` moves forward), adding them to ``recipe``."""
    label = migration.app_label
    capture = _Capture(connection.ops.compose_sql)  # type: ignore[attr-defined] # PostgreSQL's
    with connection.schema_editor(atomic=True) as editor:
        editor.execute = capture.wrap(editor.execute)  # type: ignore[method-assign]
        for operation in migration.operations:
            from_state = state.clone()
            operation.state_forwards(label, state)
            if needs_python(operation):
                capture.flush_into(recipe.steps)
                to_state = state.clone()
                with capture.paused():
                    operation.database_forwards(label, editor, from_state, to_state)
                # RunPython renders its models afresh when the state is delayed: they are
                # now, once and for all, so every replay reuses them instead of rendering
                # every model again (the bulk of a replay's client time).
                from_state.is_delayed = False
                recipe.steps.append(PythonStep(label, operation, from_state, to_state))
            else:
                operation.database_forwards(label, editor, from_state, state)
        # Leaving the editor runs its deferred SQL (foreign keys, indexes): captured too.
    capture.flush_into(recipe.steps)


def migrate_capturing(tenant: Tenant, *, verbosity: int = 0) -> Recipe:
    """Migrate ``tenant``'s schema (active, inside the caller's transaction) and return the
    recipe that brings any schema in the same state to the same end."""
    plan = plan_active_schema(tenant.database)
    recipe = Recipe(plan=plan.steps)
    if not plan.steps:
        return recipe
    if any(backwards or not migration.atomic for migration, backwards in plan.steps):
        raise RecipeUnsupportedError("the plan holds a non-atomic migration")
    connection = plan.connection
    plan.executor.recorder.ensure_schema()
    with migrate_signals(connection.alias, plan.steps, verbosity=verbosity):
        # The state after what is applied, rendered once: each operation then updates the
        # rendered models in place instead of rendering them again (as Django's executor).
        state = plan.executor._create_project_state(with_applied_migrations=True)  # type: ignore[attr-defined]
        state.apps  # noqa: B018 - render now
        for migration, _ in plan.steps:
            if plan.kept_out(migration):  # every operation would be a no-op: state only
                recipe.recorded_only += 1
                for operation in migration.operations:
                    operation.state_forwards(migration.app_label, state)
            else:
                _apply_capturing(connection, migration, state, recipe)
            recipe.recorded.extend(recorded_keys(migration))
        record(connection, recipe.recorded)
    return recipe
