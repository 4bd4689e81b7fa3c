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

import functools
from collections.abc import Sequence
from typing import IO, Any

from django.db import transaction

from tenantry import Tenant, tenant_context
from tenantry_cli._fleet_recipe import Recipe, RecipeUnsupportedError, migrate_capturing
from tenantry_cli._fleet_replay import replay
from tenantry_cli._fleet_state import SchemaState, read_fleet_states
from tenantry_cli._outcome_log import OutcomeLog
from tenantry_cli._progress import RunProgress
from tenantry_cli._runner import (
    Outcome,
    drain,
    executor_spec,
    guarded,
    in_order,
    schema_label,
)
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
        self.states = read_fleet_states(self.tenants)
        self.recipes: dict[str, Recipe | None] = {}  # label -> what its representative took

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

    def capture(self, tenant: Tenant, members: Sequence[Tenant]) -> str:
        """Migrate the representative; its recipe becomes the members' (None: replay is
        unsupported for this plan, they migrate one by one)."""
        with transaction.atomic(using=tenant.database):
            created = self._prepare(tenant)
            with tenant_context(tenant):
                try:
                    recipe: Recipe | None = migrate_capturing(tenant)
                except RecipeUnsupportedError:
                    recipe = None
                    migrate_schema(tenant)
        self.recipes.update(dict.fromkeys(map(schema_label, members), recipe))
        done = f"{_plural(recipe.migrations)} applied" if recipe else "migrated"
        return f"schema created; {done}" if created else done

    def replay(self, tenant: Tenant) -> str:
        recipe = self.recipes[schema_label(tenant)]
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
    stop_on_failure = executor_spec(executor).stops_on_failure
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
        # 1. One representative per state, migrated for real in this thread; if it fails
        #    (a real failure in that schema), the next member of the state tries.
        for members in groups.values():
            while members and not stopped:
                representative = members.pop(0)
                outcome = guarded(functools.partial(run.capture, members=members))(representative)
                stopped = finish(outcome)
                if outcome.ok:
                    break
            if stopped:
                break
        # 2. Everyone else: replay through the executor.
        if not stopped and run.recipes:
            pending = [labels[label] for label in run.recipes]
            drain(executor, pending, guarded(run.replay), finish)
    log.flush()
    return in_order(run.tenants, outcomes)
