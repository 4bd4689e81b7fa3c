"""Instant signup: a pool of spare, fully migrated schemas new tenants claim.

With ``TENANTRY_SPARE_SCHEMAS = N`` (or ``{alias: N}``), each database dynamic tenants are
created in keeps ``N`` spare schemas, named ``tenantry_spare_<hex>`` (a prefix no tenant may
take) and marked (``COMMENT ON SCHEMA``) with a fingerprint of the migrations they hold and
how they were made. Saving a new tenant claims a current spare instead of creating a
schema: the spare is renamed and the row inserted in one transaction. Spares are no tenants:
no row, so selectors, commands, the resolver and the test helpers never see them.

``manage.py migrate`` (tenantry_cli) migrates stale spares along with the tenants and tops
the pool up (:func:`refill_spares`); ``manage.py spares`` fills, shows and drops the pool.
See the how-to "Instant signup: spare schemas".
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db import DatabaseError, transaction

from tenantry import Tenant
from tenantry_django._spare_claim import claim_current_spare
from tenantry_django._spare_marker import SPARE_PREFIX, is_spare_schema_name
from tenantry_django._spare_pool import (
    PoolReport,
    Spare,
    drop_spare,
    list_spares,
    make_spare,
    refresh_pool,
)
from tenantry_django._spare_refill import schedule_refill, wait_for_background_refills
from tenantry_django.conf import get_settings

__all__ = [
    "SPARE_PREFIX",
    "PoolReport",
    "Spare",
    "claim_spare",
    "drop_spares",
    "is_spare_schema_name",
    "list_spares",
    "make_spare",
    "pool_databases",
    "pool_enabled",
    "refill_spares",
    "tenant_databases",
    "wait_for_background_refills",
]


def pool_enabled() -> bool:
    """Whether ``TENANTRY_SPARE_SCHEMAS`` asks for spares anywhere."""
    value = get_settings().raw_spare_schemas
    if isinstance(value, dict):
        return any(isinstance(n, int) and n > 0 for n in value.values())
    return isinstance(value, int) and value > 0


def tenant_databases() -> list[str]:
    """The tenant model's default ``database`` and every database tenants are in."""
    config = get_settings().tenants
    if config.dynamic is None:
        return []
    model = apps.get_model(config.dynamic.tenant_model)
    databases = {str(model._meta.get_field("database").get_default())}
    try:  # a savepoint: a missing table must not break the caller's transaction
        with transaction.atomic(using=config.public_database):
            rows = model._default_manager.using(config.public_database)
            databases.update(rows.values_list("database", flat=True).distinct())
    except DatabaseError:
        pass  # not migrated yet: no tenants
    return sorted(databases)


def pool_databases() -> list[str]:
    """The databases that keep spares: the aliases of a ``TENANTRY_SPARE_SCHEMAS`` dict, or,
    for a count, :func:`tenant_databases`."""
    current = get_settings()
    value = current.raw_spare_schemas
    if isinstance(value, dict):
        return sorted(alias for alias in value if current.spare_schemas(alias) > 0)
    return tenant_databases() if pool_enabled() else []


def claim_spare(tenant: Tenant) -> bool:
    """Give ``tenant`` (a new tenant, inside its ``save()`` transaction) a current spare of
    its database, renamed to its schema name; False (nothing done) when the pool is off there
    or has no current spare: the caller creates the schema as usual."""
    if get_settings().spare_schemas(tenant.database) <= 0:
        return False
    # The backend needs no word about the rename (which would cost the next statement a
    # path round trip): the spare's random name is never activated again, and the tenant's
    # name cannot have been seen to exist before (a dropped schema is forgotten on drop).
    if claim_current_spare(tenant) is None:
        return False
    if get_settings().spare_refill_in_background:
        schedule_refill(tenant.database)
    return True


def refill_spares(databases: Iterable[str] | None = None) -> list[PoolReport]:
    """Bring each pool (default: :func:`pool_databases`) to its size with current spares:
    stale spares are migrated (or dropped when made from another source), extra ones dropped,
    missing ones made. ``migrate`` calls it after the tenants."""
    targets = pool_databases() if databases is None else list(databases)
    return [refresh_pool(database) for database in targets]


def drop_spares(databases: Iterable[str] | None = None) -> list[str]:
    """Drop every spare (default: in :func:`pool_databases` and :func:`tenant_databases`,
    whether the pool is on or not); the names dropped. A spare a claim holds right now is
    left to it."""
    targets = sorted({*pool_databases(), *tenant_databases()}) if databases is None else databases
    return [
        spare.schema_name
        for database in targets
        for spare in list_spares(database)
        if drop_spare(spare)
    ]
