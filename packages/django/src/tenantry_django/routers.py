"""``TenantRouter``: which apps live where, and which database a query goes to.

- Apps in ``TENANTS["public"]["APPS"]`` only (shared apps) always use the public database.
- Apps of tenants (static tenants' or dynamic tenants' ``APPS``) use the active tenant's
  ``database``; with no tenant active they raise instead of reaching the public schema.
- Migrations: with no tenant active, ``migrate`` installs the public apps in the public
  database; with a tenant active, that tenant's apps in its own database and schema.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from tenantry import PUBLIC_SCHEMA, Tenant, describe, get_current_tenant
from tenantry_django._pinning import check_relation, tenant_of
from tenantry_django.conf import TenantrySettings, get_settings
from tenantry_django.errors import NoActiveTenantError, TenantAppNotInstalledError

__all__ = ["TenantRouter"]


class TenantRouter:
    # Asked before every query. The last tenant app found installed in a tenant is kept
    # with the settings object it was for (a new one after any setting changed, so
    # override_settings is seen) and the tenant object: asked again about both, the answer
    # is that tenant's database.
    _last: tuple[TenantrySettings, Tenant, str] | None = None

    def _db_for(self, model: type[Model], hints: dict[str, Any]) -> str | None:
        settings = get_settings()
        config = settings.tenants
        label = model._meta.app_label
        if label not in config.tenant_labels:
            return config.public_database  # shared apps, and apps TENANTS does not list
        # An instance (saved, deleted, or whose related manager this is) keeps its tenant.
        instance = hints.get("instance")
        tenant = (tenant_of(instance) if instance is not None else None) or get_current_tenant()
        last = self._last
        if last is not None and last[1] is tenant and last[0] is settings and last[2] == label:
            return tenant.database
        if tenant is None or tenant.schema_name == PUBLIC_SCHEMA:
            if label in config.public_labels:
                return config.public_database
            raise NoActiveTenantError(
                f"{model._meta.label} belongs to tenant app '{label}' but no tenant is "
                "active; activate one first (with tenantry.tenant_context(tenant): ...)."
            )
        if label not in config.labels_for(tenant):
            if label in config.public_labels:
                return config.public_database  # shared too: "tenant, public" finds it
            raise TenantAppNotInstalledError(
                f"{model._meta.label} is not installed in tenant '{describe(tenant)}': its app "
                f"'{label}' is not in that tenant's APPS in settings.TENANTS."
            )
        self._last = (settings, tenant, label)
        return tenant.database

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        # The steady state written out (no instance hint, the same tenant object, settings
        # and app as the last query): Django asks before every query.
        last = self._last
        if (
            last is not None
            and not hints
            and last[1] is get_current_tenant()
            and last[0] is get_settings()
            and last[2] == model._meta.app_label
        ):
            return last[1].database
        return self._db_for(model, hints)

    db_for_write = db_for_read

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        # Tenant rows may point at shared rows (search path "tenant, public"), and rows of one
        # tenant at each other; rows of two tenants never (CrossTenantError), and anything
        # spanning two databases cannot work.
        check_relation(obj1, obj2)
        return obj1._state.db == obj2._state.db or None

    def allow_migrate(
        self, db: str, app_label: str, model_name: str | None = None, **hints: Any
    ) -> bool:
        config = get_settings().tenants
        tenant = get_current_tenant()
        if tenant is None or tenant.schema_name == PUBLIC_SCHEMA:
            listed = config.public_labels | config.tenant_labels
            # Apps TENANTS does not list are treated as shared (check tenantry.W003 says so).
            return db == config.public_database and (
                app_label in config.public_labels or app_label not in listed
            )
        return db == tenant.database and app_label in config.labels_for(tenant)
