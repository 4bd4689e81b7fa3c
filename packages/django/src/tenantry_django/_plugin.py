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


def _schema_activated_receivers() -> bool:
    # The signals module is imported when the Django app is ready; before that (or without
    # Django at all) nobody can be listening.
    signals = sys.modules.get("tenantry_django.signals")
    return signals is not None and bool(signals.schema_activated.receivers)


@tenantry.hookimpl
def tenantry_tenant_activated(tenant: tenantry.Tenant, previous: tenantry.Tenant | None) -> None:
    if _schema_activated_receivers():  # (the answer may be stale: a receiver went away)
        signals = sys.modules["tenantry_django.signals"]
        signals.schema_activated.send(sender=type(tenant), tenant=tenant, previous=previous)


# Activation runs on every request: while schema_activated has no receiver, core calls
# nothing (its connect and disconnect tell core, see signals.py).
tenantry_tenant_activated.tenantry_listening = _schema_activated_receivers  # type: ignore[attr-defined]
