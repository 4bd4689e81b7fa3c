"""Remove one tenant's entries from a cache, where the backend can find them by prefix.

- Redis (Django's ``RedisCache``): ``SCAN MATCH <prefix>*`` on the primary, ``UNLINK`` in
  batches. Never ``FLUSHDB``/``FLUSHALL``: other tenants and other sites keep their entries.
- Database cache: one ``DELETE ... WHERE cache_key LIKE '<prefix>%'``.
- Local memory: the matching keys of this process's cache.
- File-based and Memcached caches cannot list their keys (file names are hashes): a
  :class:`UnsupportedCacheError` error says so and nothing is removed.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router

from tenantry import Tenant
from tenantry_cache._keys import make_key, tenant_key_prefix

__all__ = ["UnsupportedCacheError", "clear_tenant_keys"]

_SCAN_BATCH = 1000


class UnsupportedCacheError(Exception):
    """The cache cannot remove one tenant's entries (its backend cannot list keys)."""


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _clear_redis(cache: RedisCache, prefix: str) -> int:
    # Writes go to the first server; replicas follow it. The client is Django's own.
    client = cache._cache.get_client(write=True)
    removed = 0
    batch: list[Any] = []
    for key in client.scan_iter(match=_glob_escape(prefix) + "*", count=_SCAN_BATCH):
        batch.append(key)
        if len(batch) >= _SCAN_BATCH:
            removed += int(client.unlink(*batch))
            batch = []
    if batch:
        removed += int(client.unlink(*batch))
    return removed


def _clear_database(cache: DatabaseCache, prefix: str) -> int:
    database = router.db_for_write(cache.cache_model_class)
    connection = connections[database]
    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE cache_key LIKE %s ESCAPE '\\'",
            [_like_escape(prefix) + "%"],
        )
        return int(cursor.rowcount)


def _clear_locmem(cache: LocMemCache, prefix: str) -> int:
    # LocMemCache keeps its entries in ``_cache`` and expiry times in ``_expire_info``, behind
    # ``_lock``; it offers no way to list keys. The stubs do not describe these attributes.
    internals: Any = cache
    with internals._lock:
        doomed = [key for key in internals._cache if key.startswith(prefix)]
        for key in doomed:
            del internals._cache[key]
            internals._expire_info.pop(key, None)
    return len(doomed)


def clear_tenant_keys(tenant: Tenant, cache: str | BaseCache = "default") -> int:
    """Remove every entry ``tenant`` stored in ``cache`` (an alias or a cache object), in
    every version; return how many were removed. Other tenants' entries stay."""
    backend = caches[cache] if isinstance(cache, str) else cache
    if backend.key_func is not make_key:
        raise UnsupportedCacheError(
            "This cache's KEY_FUNCTION is not 'tenantry_cache.make_key', so its keys do not "
            "say which tenant stored them; set CACHES[...]['KEY_FUNCTION'] first."
        )
    prefix = tenant_key_prefix(tenant, backend.key_prefix)
    if isinstance(backend, RedisCache):
        return _clear_redis(backend, prefix)
    if isinstance(backend, DatabaseCache):
        return _clear_database(backend, prefix)
    if isinstance(backend, LocMemCache):
        return _clear_locmem(backend, prefix)
    raise UnsupportedCacheError(
        f"{type(backend).__module__}.{type(backend).__qualname__} cannot list its keys, so one "
        "tenant's entries cannot be found; clear the whole cache with cache.clear(), or use "
        "Redis, the database cache or the local-memory cache."
    )
