"""Tenant-aware cache keys for Django's cache framework.

    CACHES = {"default": {..., "KEY_FUNCTION": "tenantry_cache.make_key"}}

Every key then carries the active tenant (see :func:`make_key`), so ``cache.get``/``set``,
``cache_page`` and ``{% cache %}`` fragments stay inside their tenant with no per-view setup.
:func:`clear_tenant_keys` removes one tenant's entries. Add ``"tenantry_cache"`` to
``INSTALLED_APPS`` for its system checks.
"""

from tenantry_cache._clear import UnsupportedCacheError, clear_tenant_keys
from tenantry_cache._keys import make_key, reverse_key, tenant_key_place, tenant_key_prefix

__all__ = [
    "UnsupportedCacheError",
    "clear_tenant_keys",
    "make_key",
    "reverse_key",
    "tenant_key_place",
    "tenant_key_prefix",
]
