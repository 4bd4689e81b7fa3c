"""Entry point of the ``tenantry`` plugin group for this package.

Kept free of Django imports at module level: core may load plugins in processes that never
configure Django. Hook bodies import what they need when called.
"""

from __future__ import annotations

import sys
from typing import Any

import tenantry

__all__ = ["tenantry_tenant_activated", "tenantry_tenant_catalog"]


@tenantry.hookimpl
def tenantry_tenant_catalog() -> Any:
    from tenantry_django._catalog import DjangoTenantCatalog

    return DjangoTenantCatalog()


@tenantry.hookimpl
def tenantry_tenant_activated(tenant: tenantry.Tenant, previous: tenantry.Tenant | None) -> None:
    # The signals module is imported when the Django app is ready; before that (or without
    # Django at all) nobody can be listening.
    signals = sys.modules.get("tenantry_django.signals")
    # Activation runs on every request: with no receiver connected, skip the dispatch.
    if signals is not None and signals.schema_activated.receivers:
        signals.schema_activated.send(sender=type(tenant), tenant=tenant, previous=previous)
