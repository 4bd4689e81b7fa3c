"""Tenant-aware cache keys for Django's cache framework.

    CACHES = {"default": {..., "KEY_FUNCTION": "tenantry_cache.make_key"}}

Every key then carries the active tenant (see :func:`make_key`), so ``cache.get``/``set``,
``cache_page`` and ``{% cache %}`` fragments stay inside their tenant with no per-view setup.
Add ``"tenantry_cache"`` to ``INSTALLED_APPS`` for its system checks.

The key functions import no Django; the clearing helper loads on first use, because this
package is also a ``tenantry`` plugin entry point, imported where Django may not be set up.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tenantry_cache._keys import make_key, reverse_key, tenant_key_place, tenant_key_prefix

if TYPE_CHECKING:
    from tenantry_cache._clear import UnsupportedCacheError, clear_tenant_keys

__all__ = [
    "UnsupportedCacheError",
    "clear_tenant_keys",
    "make_key",
    "reverse_key",
    "tenant_key_place",
    "tenant_key_prefix",
]

_LAZY = {
    "UnsupportedCacheError": "tenantry_cache._clear",
    "clear_tenant_keys": "tenantry_cache._clear",
}


def __getattr__(name: str) -> Any:
    home = _LAZY.get(name)
    if home is None:
        raise AttributeError(f"module 'tenantry_cache' has no attribute {name!r}")
    return getattr(import_module(home), name)
