"""Which URLconf serves a tenant, and the folder-prefixed variant for subfolder tenants.

A subfolder tenant gets a module-like URLconf that includes its own under ``<folder>/``, so
``reverse()`` and redirects carry the folder. One object per (URLconf, folder), built once
and kept: Django caches a resolver per URLconf object, so nothing global is cleared per
request and concurrent requests for different folders never share state.
"""

from __future__ import annotations

import threading
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.urls import include, path

from tenantry import PUBLIC_SCHEMA, Tenant
from tenantry_django.conf import get_settings

__all__ = ["folder_urlconf", "urlconf_for", "ws_urlconf_for"]

_HANDLERS = ("handler400", "handler403", "handler404", "handler500")
_prefixed: dict[tuple[str, str], ModuleType] = {}
_lock = threading.Lock()


def urlconf_for(tenant: Tenant) -> str:
    config = get_settings().tenants
    static = config.statics.get(tenant.schema_name)
    if static is not None:
        urlconf = static.urlconf
    elif tenant.schema_name == PUBLIC_SCHEMA:
        urlconf = config.public.urlconf
    else:
        urlconf = config.dynamic.urlconf if config.dynamic else None
    return urlconf or str(getattr(settings, "ROOT_URLCONF", ""))


def ws_urlconf_for(tenant: Tenant) -> str | None:
    """The tenant's ``WS_URLCONF``; a static tenant (or public) without one uses the dynamic
    tenants'. None when neither names one."""
    config = get_settings().tenants
    dynamic = config.dynamic.ws_urlconf if config.dynamic else None
    static = config.statics.get(tenant.schema_name)
    if static is not None:
        return static.ws_urlconf or dynamic
    if tenant.schema_name == PUBLIC_SCHEMA:
        return config.public.ws_urlconf or dynamic
    return dynamic


def folder_urlconf(urlconf: str, folder: str) -> ModuleType:
    key = (urlconf, folder)
    module = _prefixed.get(key)
    if module is not None:
        return module
    with _lock:
        module = _prefixed.get(key)
        if module is None:
            original = import_module(urlconf)
            module = ModuleType(f"{urlconf}[{folder}]")
            module.urlpatterns = [path(f"{folder}/", include(urlconf))]  # type: ignore[attr-defined]
            for handler in _HANDLERS:  # the tenant's error views stay its own
                if hasattr(original, handler):
                    setattr(module, handler, getattr(original, handler))
            _prefixed[key] = module
    return module
