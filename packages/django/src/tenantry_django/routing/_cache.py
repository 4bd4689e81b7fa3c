"""What routing remembers in this process, in one object per settings.

* the resolver chain ``TENANTRY_RESOLVERS`` names, built on first use;
* validated hosts: (X-Forwarded-Host, Host) -> the host Django's ``get_host()`` returned;
* answers: (validated host, first path segment) -> the chain's answer, while only resolvers
  that read nothing else are configured;
* the rows the resolvers read: a host's domain rows, a schema name's tenant.

The object hangs off the settings (``get_settings().derived``), so a changed ``TENANTS``,
``TENANTRY_*``, ``ALLOWED_HOSTS``, ``DEBUG`` or ``USE_X_FORWARDED_HOST`` starts it over. A saved
or deleted tenant or domain row clears the answers and rows of this process at once
(:func:`clear_caches`); other processes' changes arrive when entries expire, within
``TENANTRY_RESOLVER_CACHE_SECONDS``. Every table is bounded: its keys come from clients (hosts
under ``ALLOWED_HOSTS = ["*"]``, header values), so a client inventing them makes a table start
over instead of growing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from tenantry import Resolution, Tenant
from tenantry_django.conf import get_settings

__all__ = ["MAX_ENTRIES", "ExpiringCache", "RoutingCaches", "clear_caches", "current_caches"]

# Entries per table. A server with 10,000 tenants keeps every host's domain rows, validated
# host and answer in memory at once (a host and its www. twin, a few first path segments
# each): the bound is above such a working set, so serving every tenant in turn never makes
# a table start over (which would cost each host a query again). It still bounds what
# clients inventing hosts, folders or header values can make a process keep: an unknown
# host's entry is a few hundred bytes (about 20 MiB per full table), a tenant's domain
# entry holds its Tenant row (1-2 KiB). tests/django/routing/test_cache.py holds it to 10,000.
MAX_ENTRIES = 65_536

_Key = TypeVar("_Key", bound=Hashable)
_Value = TypeVar("_Value")


class ExpiringCache(Generic[_Key, _Value]):
    """key -> (expires, value), each kept for ``seconds``, at most ``max_entries`` of them.

    ``entries`` is read directly on the request path (one dict lookup); writes go through
    :meth:`put`, which keeps the bound.
    """

    def __init__(self, seconds: float, max_entries: int = MAX_ENTRIES) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self.entries: dict[_Key, tuple[float, _Value]] = {}

    def get(self, key: _Key, load: Callable[[_Key], _Value]) -> _Value:
        """The value remembered for ``key``, or ``load(key)``, remembered from now on."""
        now = time.monotonic()
        cached = self.entries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        value = load(key)
        self.put(key, value, now + self.seconds)
        return value

    def put(self, key: _Key, value: _Value, expires: float) -> None:
        if len(self.entries) >= self.max_entries and key not in self.entries:
            self.entries = {}
        self.entries[key] = (expires, value)

    def expires(self, key: _Key, default: float) -> float:
        """When ``key``'s entry expires, at the latest ``default`` (which it has none)."""
        cached = self.entries.get(key)
        return min(cached[0], default) if cached is not None else default

    def __len__(self) -> int:
        return len(self.entries)

    def clear(self) -> None:
        self.entries = {}


if TYPE_CHECKING:
    from tenantry_django.routing._chain import Chain
    from tenantry_django.routing._domain import HostEntries

    # (validated host, first path segment) -> (the chain that answered, its answer)
    AnswerCache = ExpiringCache[tuple[str, str], tuple[Chain, Resolution | None]]


class RoutingCaches:
    """Every table routing keeps, for one settings object."""

    def __init__(self) -> None:
        seconds = get_settings().resolver_cache_seconds
        self.seconds = seconds
        self.chain: Chain | None = None  # set by the chain module on first use
        # (X-Forwarded-Host, Host) -> validated host: never expires (settings alone decide)
        self.hosts: dict[tuple[str | None, str], str] = {}
        self.answers: AnswerCache = ExpiringCache(seconds)
        self.domains: ExpiringCache[str, HostEntries] = ExpiringCache(seconds)
        self.names: ExpiringCache[str, Tenant | None] = ExpiringCache(seconds)
        # The middleware's requests served from memory (``tenantry_django.middleware``):
        # (Host, X-Forwarded-Host, first path segment) -> what to set on the request
        self.prepared: dict[tuple[str, str | None, str], Any] = {}

    def remember_host(self, key: tuple[str | None, str], host: str) -> None:
        if len(self.hosts) >= MAX_ENTRIES:
            self.hosts = {}
        self.hosts[key] = host

    def remember_prepared(self, key: tuple[str, str | None, str], prepared: Any) -> None:
        if len(self.prepared) >= MAX_ENTRIES:
            self.prepared = {}
        self.prepared[key] = prepared

    def clear_rows(self) -> None:
        """Forget answers and rows: a tenant or domain row changed."""
        self.prepared = {}
        self.answers.clear()
        self.domains.clear()
        self.names.clear()


def current_caches() -> RoutingCaches:
    return get_settings().derived("routing-caches", RoutingCaches)


def clear_caches(**kwargs: Any) -> None:
    """Forget remembered answers, hosts' domain rows and tenants by name in this process.

    Connected to the tenant and domain models' ``post_save`` and ``post_delete`` signals.
    """
    current_caches().clear_rows()
