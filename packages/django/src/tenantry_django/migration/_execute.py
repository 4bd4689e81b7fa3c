"""Migrating one schema with Django's executor: tenant creation, the clone reference and the
test template, and every schema a fleet run cannot replay into."""

from __future__ import annotations

from django.core.management import call_command
from django.db import transaction

from tenantry import Tenant, describe, tenant_context
from tenantry_django._setup import require_tenancy_setup
from tenantry_django.migration._plan import Plan, plan_active_schema
from tenantry_django.migration._record import record
from tenantry_django.migration._signals import migrate_signals
from tenantry_django.migration._state import is_migrated
from tenantry_django.schemas import create_schema, schema_exists

__all__ = ["ensure_schema_migrated", "migrate_schema", "migrate_schema_with_command"]


def _record_kept_out(plan: Plan) -> bool:
    """Record the forward migrations the router keeps out of this schema, in one statement;
    True when there were any."""
    kept_out = [m for m, backwards in plan.steps if not backwards and plan.kept_out(m)]
    if not kept_out:
        return False
    plan.executor.recorder.ensure_schema()
    record(plan.connection, [(m.app_label, m.name) for m in kept_out])
    return True


def migrate_schema(tenant: Tenant, *, verbosity: int = 0, skip_if_current: bool = False) -> None:
    """Bring the tenant's schema (which must exist) up to date, as ``migrate`` would.

    Migrations of apps the router keeps out of this schema would run as no-ops, yet Django
    would still replay each one's state changes in Python. They are recorded as applied in
    one statement instead; only the schema's own apps' migrations run.
    """
    require_tenancy_setup(f"migrate schema {describe(tenant)!r}", [tenant.database])
    if skip_if_current and is_migrated(tenant):
        return
    with tenant_context(tenant):
        plan = plan_active_schema(tenant.database)
        if not plan.steps:
            return
        with migrate_signals(plan.connection.alias, plan.steps, verbosity=verbosity):
            steps = plan.replan() if _record_kept_out(plan) else plan.steps
            plan.executor.migrate(plan.targets, plan=steps)


def ensure_schema_migrated(tenant: Tenant, *, verbosity: int = 0) -> None:
    """Create the tenant's schema when missing and bring it up to date, in one transaction
    (nothing to do when it is current): the clone reference, the test template."""
    require_tenancy_setup(f"migrate schema {describe(tenant)!r}", [tenant.database])
    with transaction.atomic(using=tenant.database):
        if not schema_exists(tenant.schema_name, tenant.database):
            create_schema(tenant.schema_name, tenant.database)
        migrate_schema(tenant, verbosity=verbosity, skip_if_current=True)


def migrate_schema_with_command(tenant: Tenant, *, verbosity: int = 0) -> None:
    """Django's own ``migrate`` command run in the tenant's schema (the reference behaviour)."""
    # The class, not the name: tenantry_cli overrides the ``migrate`` command.
    from django.core.management.commands.migrate import Command as DjangoMigrateCommand

    require_tenancy_setup(f"migrate schema {describe(tenant)!r}", [tenant.database])
    with tenant_context(tenant):
        call_command(
            DjangoMigrateCommand(),
            database=tenant.database,
            interactive=False,
            verbosity=verbosity,
        )
