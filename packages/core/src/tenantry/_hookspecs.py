"""The hooks tenantry plugins implement. Every name starts with ``tenantry_``."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from tenantry._catalog import TenantCatalog
from tenantry._executors import ExecutorSpec
from tenantry._resolution import ResolverSpec
from tenantry._tenant import Tenant

PROJECT_NAME = "tenantry"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "hookimpl",
    "hookspec",
    "tenantry_register_executors",
    "tenantry_register_resolvers",
    "tenantry_tenant_activated",
    "tenantry_tenant_catalog",
    "tenantry_tenant_deactivated",
]


@hookspec
def tenantry_register_resolvers() -> Iterable[ResolverSpec]:  # type: ignore[empty-body]
    """Announce named resolvers; ``TENANTRY_RESOLVERS`` chooses which run, in which order."""


@hookspec
def tenantry_tenant_activated(tenant: Tenant, previous: Tenant | None) -> None:
    """``tenant`` became current in this context (``previous`` was before).

    Called on every activation (every request), so only while some implementation listens:
    one may carry ``tenantry_listening``, a callable telling whether it wants calls now; its
    plugin calls ``tenantry.activation_listeners_changed()`` when that answer may change
    (see ``tenantry._plugins.ActivationListeners``).
    """


@hookspec
def tenantry_tenant_deactivated(previous: Tenant | None) -> None:
    """No tenant is current any more in this context."""


@hookspec
def tenantry_register_executors() -> Iterable[ExecutorSpec]:  # type: ignore[empty-body]
    """Announce executors that run a command over many tenants."""


@hookspec(firstresult=True)
def tenantry_tenant_catalog() -> TenantCatalog | None:
    """Supply the catalog of tenants that selectors are matched against."""
