"""The hooks tenantry plugins implement. Every name starts with ``tenantry_``."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from tenantry._catalog import TenantCatalog
from tenantry._executors import ExecutorSpec
from tenantry._resolution import RequestInfo, Resolution
from tenantry._tenant import Tenant

PROJECT_NAME = "tenantry"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec(firstresult=True)
def tenantry_resolve_tenant(request: RequestInfo) -> Resolution | None:
    """Find the tenant a request is for; return ``None`` to let the next resolver try.

    Runs once per request, never per query.
    """


@hookspec
def tenantry_tenant_activated(tenant: Tenant, previous: Tenant | None) -> None:
    """``tenant`` became current in this context (``previous`` was before)."""


@hookspec
def tenantry_tenant_deactivated(previous: Tenant | None) -> None:
    """No tenant is current any more in this context."""


@hookspec
def tenantry_register_executors() -> Iterable[ExecutorSpec]:  # type: ignore[empty-body]
    """Announce executors that run a command over many tenants."""


@hookspec(firstresult=True)
def tenantry_tenant_catalog() -> TenantCatalog | None:
    """Supply the catalog of tenants that selectors are matched against."""
