"""Migrate many schemas fast: read every schema's state at once, plan once per state,
migrate one representative per state for real, replay what it took everywhere else.

- Up-to-date schemas are found with catalog queries for the whole fleet and cost nothing.
- Each schema migrates in one transaction (its creation included): all or nothing, so a run
  killed at any point converges when simply run again.
- A replay that fails is retried in that schema with Django's own executor inside the same
  transaction, so a schema that differs from its representative still migrates correctly;
  if that fails too, the schema is left exactly as it was.

Who runs what, in which order and on which executor is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from tenantry import Tenant, tenant_context
from tenantry_django._setup import require_tenancy_setup
from tenantry_django.conf import get_settings
from tenantry_django.migration._execute import migrate_schema
from tenantry_django.migration._place import Place
from tenantry_django.migration._plan import project_migrations
from tenantry_django.migration._recipe import Recipe, RecipeUnsupportedError, migrate_capturing
from tenantry_django.migration._replay import replay
from tenantry_django.migration._state import SchemaState, read_states
from tenantry_django.schemas import create_schema

__all__ = ["FleetMigration", "MissingSchemaError", "SchemaMigrated"]


class MissingSchemaError(Exception):
    """The schema does not exist, and the run was told not to create schemas."""


@dataclass(frozen=True)
class SchemaMigrated:
    """What bringing one schema up to date took."""

    created: bool  # the schema was missing and was created first
    migrations: int | None  # applied (operations ran); None: Django's executor, uncounted
    recorded: int = 0  # besides: only recorded, their apps kept out of this schema
    replayed: bool = False  # the representative's recipe was replayed
    replay_failure: str = ""  # the error replay met; the plan then ran one by one


class FleetMigration:
    """The schemas of ``tenants`` sorted by state: ``up_to_date`` ones, and ``groups`` of
    schemas sharing a state, whose first member migrates for real and records a recipe
    (:meth:`migrate_representative`) the others replay (:meth:`migrate_member`)."""

    def __init__(self, tenants: Sequence[Tenant], *, create_schemas: bool = True) -> None:
        self.tenants = list(tenants)
        require_tenancy_setup("migrate tenant schemas", (t.database for t in self.tenants))
        self.create_schemas = create_schemas
        self.states = read_states(Place.of(t) for t in self.tenants)
        self.up_to_date: list[Tenant] = []
        self.groups: list[list[Tenant]] = []
        self._recipes: dict[Place, Recipe | None] = {}  # what each member's representative took
        self._group(project_migrations())

    def _group(self, project: frozenset[tuple[str, str]]) -> None:
        tenancy = get_settings().tenants
        groups: dict[tuple[Any, ...], list[Tenant]] = {}
        for tenant in self.tenants:
            state = self.state(tenant)
            if state.is_up_to_date(project):
                self.up_to_date.append(tenant)
                continue
            key = (tenant.database, state.exists, state.applied, tenancy.labels_for(tenant))
            groups.setdefault(key, []).append(tenant)
        self.groups = list(groups.values())

    def state(self, tenant: Tenant) -> SchemaState:
        return self.states[Place.of(tenant)]

    def members(self) -> list[Tenant]:
        """The tenants waiting for their representative's recipe, in the order recorded."""
        by_place = {Place.of(t): t for t in self.tenants}
        return [by_place[place] for place in self._recipes]

    def _prepare(self, tenant: Tenant) -> bool:
        """Create the schema when missing (inside the caller's transaction); True if created."""
        if self.state(tenant).exists:
            return False
        if not self.create_schemas:
            raise MissingSchemaError(
                f"schema {tenant.schema_name!r} does not exist in database {tenant.database!r}"
                " (not created: --no-create-schemas)"
            )
        create_schema(tenant.schema_name, tenant.database)
        return True

    def migrate_representative(self, tenant: Tenant, members: Sequence[Tenant]) -> SchemaMigrated:
        """Migrate ``tenant``; its recipe becomes the ``members``' (when the plan cannot be
        replayed they will migrate one by one)."""
        with transaction.atomic(using=tenant.database):
            created = self._prepare(tenant)
            with tenant_context(tenant):
                try:
                    recipe: Recipe | None = migrate_capturing(tenant)
                except RecipeUnsupportedError:
                    recipe = None
                    migrate_schema(tenant)
        self._recipes.update(dict.fromkeys(map(Place.of, members), recipe))
        if recipe is None:
            return SchemaMigrated(created, None)
        return SchemaMigrated(created, recipe.applied, recipe.recorded_only)

    def migrate_member(self, tenant: Tenant) -> SchemaMigrated:
        """Bring ``tenant`` where its representative went: replay its recipe. The member is no
        longer waiting then (:meth:`members`): a run over 10,000 schemas keeps no entry for
        the schemas done."""
        recipe = self._recipes.pop(Place.of(tenant))
        with transaction.atomic(using=tenant.database):
            created = self._prepare(tenant)
            with tenant_context(tenant):
                if recipe is None:
                    migrate_schema(tenant)
                    return SchemaMigrated(created, None)
                try:
                    with transaction.atomic(using=tenant.database):  # a savepoint to fall back
                        replay(tenant, recipe)
                except Exception as error:
                    migrate_schema(tenant)
                    return SchemaMigrated(
                        created,
                        recipe.applied,
                        recipe.recorded_only,
                        replay_failure=type(error).__name__,
                    )
        return SchemaMigrated(created, recipe.applied, recipe.recorded_only, replayed=True)
