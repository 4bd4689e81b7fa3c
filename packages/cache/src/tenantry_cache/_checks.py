"""System checks for tenant-aware caching. Ids ``tenantry.E040``-``E049``, ``W040``-``W049``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from tenantry_cache._keys import make_key

__all__ = ["check_cache_middleware_order", "check_key_functions"]

KEY_FUNCTION = "tenantry_cache.make_key"
TENANT_MIDDLEWARE = "tenantry_django.middleware.TenantMiddleware"
CACHE_MIDDLEWARES = (
    "django.middleware.cache.UpdateCacheMiddleware",
    "django.middleware.cache.FetchFromCacheMiddleware",
    "django.middleware.cache.CacheMiddleware",
)


def _tenant_aware(key_function: Any) -> bool:
    return key_function == KEY_FUNCTION or key_function is make_key


@register("caches")
def check_key_functions(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for alias, options in settings.CACHES.items():
        if not _tenant_aware(options.get("KEY_FUNCTION")):
            messages.append(
                Warning(
                    f"CACHES[{alias!r}] does not use tenantry's key function: every tenant "
                    "reads and writes the same entries in it.",
                    hint=f'Set CACHES[{alias!r}]["KEY_FUNCTION"] = "{KEY_FUNCTION}".',
                    id="tenantry.W040",
                )
            )
    return messages


@register("caches")
def check_cache_middleware_order(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE or [])
    if TENANT_MIDDLEWARE not in middleware:
        return []
    tenant_position = middleware.index(TENANT_MIDDLEWARE)
    return [
        Error(
            f"{name} comes before {TENANT_MIDDLEWARE} in MIDDLEWARE, so it reads or stores "
            "pages while no tenant is active: under the shared 'public' keys, where one "
            "tenant's page can be served to another.",
            hint=f"Move it after {TENANT_MIDDLEWARE} (UpdateCacheMiddleware right after it).",
            id="tenantry.E040",
        )
        for position, name in enumerate(middleware)
        if name in CACHE_MIDDLEWARES and position < tenant_position
    ]
