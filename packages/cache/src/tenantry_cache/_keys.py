"""Cache keys that carry the tenant: ``<place>:<KEY_PREFIX>:<version>:<key>``.

The place is the active tenant's schema, preceded by its database alias when that is not
``default`` (``shard2.acme``), so two tenants never share a key, not even tenants with the same
schema name in two databases. With no tenant active the place is ``public``: shared entries
live there, never under another tenant's place.

The place comes first so that one tenant's entries are exactly the keys starting with
``<place>:<KEY_PREFIX>:``; a schema name holds no ``:``, ``.`` or glob characters, and an alias
that does is percent-encoded, so one place is never a prefix of another.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import quote

from tenantry import DEFAULT_DATABASE, PUBLIC_SCHEMA, Tenant, get_current_tenant

__all__ = ["make_key", "reverse_key", "tenant_key_place", "tenant_key_prefix"]

# What survives unencoded in an alias; everything else (":", ".", "*", "[", ...) is %XX.
_ALIAS_SAFE = "_-"
_REVERSE = re.compile(r"^[^:]*:(?P<prefix>.*?):(?P<version>-?\d+):(?P<key>.*)\Z", re.DOTALL)


@functools.cache
def _place(database: str, schema: str) -> str:
    if database == DEFAULT_DATABASE:
        return schema
    return f"{quote(database, safe=_ALIAS_SAFE)}.{schema}"


def tenant_key_place(tenant: Tenant | None = None) -> str:
    """The part of every key that names ``tenant`` (the active one by default)."""
    if tenant is None:
        tenant = get_current_tenant()
        if tenant is None:
            return PUBLIC_SCHEMA
    return _place(tenant.database, tenant.schema_name)


def make_key(key: str, key_prefix: str, version: Any) -> str:
    """``CACHES[...]["KEY_FUNCTION"]``: Django's key, preceded by the active tenant's place."""
    return f"{tenant_key_place()}:{key_prefix}:{version}:{key}"


def reverse_key(key: str) -> str:
    """The key a caller passed to the cache, from a stored one (e.g. django-redis's
    ``REVERSE_KEY_FUNCTION``). Assumes ``KEY_PREFIX`` holds no ``:<digits>:``."""
    match = _REVERSE.match(key)
    if match is None:
        raise ValueError(f"{key!r} was not made by tenantry_cache.make_key")
    return match["key"]


def tenant_key_prefix(tenant: Tenant | None, key_prefix: str) -> str:
    """What every key of ``tenant`` in a cache with ``KEY_PREFIX = key_prefix`` starts with."""
    return f"{tenant_key_place(tenant)}:{key_prefix}:"
