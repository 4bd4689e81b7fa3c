"""What a schema lacks: the project's migrations, and the plan that brings a schema to them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations import Migration
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from tenantry_django.conf import get_settings

__all__ = ["MigrationKey", "Plan", "Steps", "plan_active_schema", "project_migrations"]

MigrationKey = tuple[str, str]  # (app label, migration name)
Steps = list[tuple[Migration, bool]]  # Django's plan: (migration, backwards)


def _load_project_migrations() -> frozenset[MigrationKey]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def project_migrations() -> frozenset[MigrationKey]:
    """Every migration of the project as ``(app_label, name)``: what an up-to-date schema has
    recorded (migrations of apps kept out of a schema are recorded there too).

    Computed once per settings (``INSTALLED_APPS`` and ``MIGRATION_MODULES`` decide it).
    """
    return get_settings().derived("migration.project_migrations", _load_project_migrations)


@dataclass(frozen=True)
class Plan:
    """Django's executor for the active schema and the steps to the project's leaf nodes."""

    executor: MigrationExecutor
    targets: list[MigrationKey]
    steps: Steps

    @property
    def connection(self) -> BaseDatabaseWrapper:
        return self.executor.connection

    def kept_out(self, migration: Migration) -> bool:
        """Whether the router keeps ``migration``'s app out of this schema (asked while it is
        active): every operation (RunPython and RunSQL included) asks the router first and
        would be a no-op."""
        return not router.allow_migrate(self.connection.alias, migration.app_label)

    def replan(self) -> Steps:
        """The steps again, after something was recorded behind the executor's back."""
        self.executor.loader.build_graph()
        return self.executor.migration_plan(self.targets)


def plan_active_schema(database: str) -> Plan:
    """The plan for the schema active on ``database``'s connection."""
    connection = connections[database]
    executor = MigrationExecutor(connection)
    executor.loader.check_consistent_history(connection)
    targets = executor.loader.graph.leaf_nodes()
    return Plan(executor, targets, executor.migration_plan(targets))
