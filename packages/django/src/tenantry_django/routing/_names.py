"""The ``header`` and ``session`` resolvers: the tenant a value the client sent names.

``TENANTRY_HEADER`` (default ``X-Tenant``) or the session's ``TENANTRY_SESSION_KEY`` (default
``tenant``) holds a static tenant's key (or its ``HEADER`` / ``SESSION_KEY``), or a dynamic
tenant's schema name. Both trust the client: enable them only behind a proxy that sets or
strips that header, or for sessions your own code writes.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps

import tenantry
from tenantry import RequestInfo, Resolution, Tenant
from tenantry_django._conf import StaticTenantConfig
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django.conf import get_settings
from tenantry_django.routing._cache import current_caches

__all__ = ["resolve_by_header", "resolve_by_session"]


def _load_name(name: str) -> Tenant | None:
    config = get_settings().tenants
    # The client chose this name: what cannot be a tenant's schema name (a NUL byte, which
    # PostgreSQL refuses with an error, a 10 kB string, a quote) is no tenant, decided
    # without a query. Checked here, on a cache miss, so a known name costs nothing more.
    if config.dynamic is None or not tenantry.is_valid_schema_name(name):
        return None
    tenant_model = apps.get_model(config.dynamic.tenant_model)
    with tenantry.tenant_context(None), tenant_tables_required():
        tenant: Tenant | None = (
            tenant_model._default_manager.using(config.public_database)
            .filter(schema_name=name)
            .first()
        )
    return tenant


def _by_name(
    value: object, alias_of: Callable[[StaticTenantConfig], str | None], resolver: str
) -> Resolution | None:
    if not isinstance(value, str) or not value:
        return None
    for static in get_settings().tenants.statics.values():
        if value in (static.key, alias_of(static)):
            return Resolution(static.descriptor, resolver=resolver)
    if len(value) > tenantry.MAX_IDENTIFIER_BYTES:  # never a name, and never a cache key
        return None
    tenant = current_caches().names.get(value, _load_name)
    return Resolution(tenant, resolver=resolver) if tenant is not None else None


def resolve_by_header(request: RequestInfo) -> Resolution | None:
    """``TENANTRY_HEADER`` (default ``X-Tenant``): a static key or HEADER, or a schema name."""
    name = get_settings().header
    return _by_name(request.header(name), lambda static: static.header, "header")


def resolve_by_session(request: RequestInfo) -> Resolution | None:
    """``TENANTRY_SESSION_KEY`` (default ``tenant``): a static key or SESSION_KEY, or a name."""
    key = get_settings().session_key
    return _by_name(request.session(key), lambda static: static.session_key, "session")
