"""Migrate many schemas fast: read every schema's state at once, plan once per state,
migrate one representative per state for real, replay what it took everywhere else.

- Up-to-date schemas are found with catalog queries for the whole fleet and cost nothing.
- Each schema migrates in one transaction (its creation included): all or nothing, so a run
  killed at any point converges when simply run again.
- A replay that fails is retried in that schema with Django's own executor inside the same
  transaction, so a schema that differs from its representative still migrates correctly;
  if that fails too, the schema is reported failed and left exactly as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO, Any

from django.db import transaction

from tenantry import Tenant, tenant_context
from tenantry_cli._fleet_recipe import Recipe, RecipeUnsupportedError, migrate_capturing
from tenantry_cli._fleet_replay import replay
from tenantry_cli._fleet_state import SchemaState, read_states
from tenantry_cli._outcome_log import OutcomeLog
from tenantry_cli._progress import RunProgress
from tenantry_cli._runner import STOPS_ON_FAILURE, Outcome, guarded, make_executor, schema_label
from tenantry_django.schemas import (
    create_schema,
    migrate_schema,
    project_migrations,
    schema_app_labels,
)


class MissingSchemaError(Exception):
    pass


def _plural(count: int) -> str:
    return f"{count} migration{'s' if count != 1 else ''}"


class _FleetRun:
    def __init__(self, tenants: Sequence[Tenant], *, create_schemas: bool) -> None:
        self.tenants = list(tenants)
        self.create_schemas = create_schemas
        self.states: dict[tuple[str, str], SchemaState] = {}
        for database in dict.fromkeys(t.database for t in self.tenants):
            schemas = [t.schema_name for t in self.tenants if t.database == database]
            for schema, state in read_states(database, schemas).items():
                self.states[(database, schema)] = state

    def state(self, tenant: Tenant) -> SchemaState:
        return self.states[(tenant.database, tenant.schema_name)]

    def _prepare(self, tenant: Tenant) -> bool:
        """Create the schema when missing (inside the caller's transaction)."""
        if self.state(tenant).exists:
            return False
        if not self.create_schemas:
            raise MissingSchemaError(
                f"schema {tenant.schema_name!r} does not exist in database {tenant.database!r}"
                " (not created: --no-create-schemas)"
            )
        create_schema(tenant.schema_name, tenant.database)
        return True

    def capture(self, tenant: Tenant) -> tuple[str, Recipe | None]:
        """Migrate the representative; its recipe (None: replay unsupported for this plan)."""
        with transaction.atomic(using=tenant.database):
            created = self._prepare(tenant)
            with tenant_context(tenant):
                try:
                    recipe: Recipe | None = migrate_capturing(tenant)
                except RecipeUnsupportedError:
                    recipe = None
                    migrate_schema(tenant)
        done = f"{_plural(recipe.migrations)} applied" if recipe else "migrated"
        return (f"schema created; {done}" if created else done), recipe

    def replay(self, tenant: Tenant, recipe: Recipe | None) -> str:
        with transaction.atomic(using=tenant.database):
            created = self._prepare(tenant)
            with tenant_context(tenant):
                if recipe is None:
                    migrate_schema(tenant)
                    done = "migrated"
                else:
                    done = self._replay_or_migrate(tenant, recipe)
        return f"schema created; {done}" if created else done

    @staticmethod
    def _replay_or_migrate(tenant: Tenant, recipe: Recipe) -> str:
        try:
            with transaction.atomic(using=tenant.database):  # a savepoint to fall back from
                replay(tenant, recipe)
        except Exception as error:
            migrate_schema(tenant)
            return (
                f"{_plural(recipe.migrations)} applied one by one "
                f"(replay failed: {type(error).__name__})"
            )
        return f"{_plural(recipe.migrations)} applied (replayed)"


def migrate_fleet(
    tenants: Sequence[Tenant],
    *,
    executor: str,
    create_schemas: bool = True,
    progress_stream: IO[str] | Any = None,
) -> list[Outcome]:
    """Bring every tenant's schema up to date; every tenant's outcome, in order."""
    run = _FleetRun(tenants, create_schemas=create_schemas)
    labels = {schema_label(t): t for t in run.tenants}
    log = OutcomeLog({label: (t.database, t.schema_name) for label, t in labels.items()})
    stop_on_failure = executor in STOPS_ON_FAILURE
    outcomes: dict[str, Outcome] = {}
    project = project_migrations()

    groups: dict[tuple[Any, ...], list[Tenant]] = {}
    for tenant in run.tenants:
        state = run.state(tenant)
        if state.applied is not None and project <= state.applied:
            outcomes[schema_label(tenant)] = Outcome(schema_label(tenant), "ok", "up to date")
            continue
        key = (tenant.database, state.exists, state.applied, schema_app_labels(tenant))
        groups.setdefault(key, []).append(tenant)

    with RunProgress(progress_stream, len(run.tenants)) as progress:

        def finish(outcome: Outcome) -> bool:
            """Note an outcome; True when the run must stop."""
            outcomes[outcome.schema] = outcome
            log.add(outcome)
            progress.advance(outcome.schema, outcome.ok, outcome.detail)
            return not outcome.ok and stop_on_failure

        for outcome in list(outcomes.values()):
            finish(outcome)
        stopped = False
        recipes: dict[str, Recipe | None] = {}
        # 1. One representative per state, migrated for real in this thread; if it fails
        #    (a real failure in that schema), the next member of the state tries.
        for members in groups.values():
            recipe_found = False
            while members and not recipe_found and not stopped:
                representative = members.pop(0)
                found: list[Recipe | None] = []

                def capture(tenant: Tenant, found: list[Recipe | None] = found) -> str:
                    detail, recipe = run.capture(tenant)
                    found.append(recipe)
                    return detail

                outcome = guarded(capture)(representative)
                stopped = finish(outcome)
                if outcome.ok:
                    recipe_found = True
                    for member in members:
                        recipes[schema_label(member)] = found[0]
            if stopped:
                break
        # 2. Everyone else: replay through the executor.
        if not stopped and recipes:
            pending = [labels[label] for label in recipes]
            task: Callable[[Tenant], Outcome] = guarded(
                lambda tenant: run.replay(tenant, recipes[schema_label(tenant)])
            )
            results = make_executor(executor)(pending, task)
            try:
                for outcome in results:
                    if finish(outcome):
                        break
            finally:
                close = getattr(results, "close", None)
                if close is not None:
                    close()
    log.flush()
    skipped = Outcome("", "skipped", "not run: an earlier schema failed")
    return [
        outcomes.get(label) or Outcome(label, skipped.status, skipped.detail) for label in labels
    ]
