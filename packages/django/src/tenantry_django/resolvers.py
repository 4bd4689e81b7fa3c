"""Find the tenant of a request: by domain (and subfolder), by header, by session.

Which resolvers run, and in which order, is ``TENANTRY_RESOLVERS`` (default ``["domain"]``):
names of resolvers that plugins announce through ``tenantry_register_resolvers``: the built-in
``domain``, ``header`` and ``session``, or your own. ``header`` and ``session`` trust the
client: enable them only behind a proxy that sets or strips that header, or for sessions
your own code writes.

Host lookups are cached in this process: a hit costs no query. A change to a domain or tenant
row clears this process's cache at once and reaches every other process within
``TENANTRY_RESOLVER_CACHE_SECONDS`` (default 10) seconds.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.apps import apps

import tenantry
from tenantry import RequestInfo, Resolution, Tenant
from tenantry_django._conf import StaticTenantConfig, get_config
from tenantry_django._domains import (  # normalize_host: also imported from here
    could_be_stored,
    normalize_host,
    www_twin,
)
from tenantry_django.conf import get_settings

_Value = TypeVar("_Value")


def resolver_names() -> tuple[str, ...]:
    return get_settings().resolvers


def cache_seconds() -> float:
    return get_settings().resolver_cache_seconds


# -- the chain -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chain:
    """The resolvers ``TENANTRY_RESOLVERS`` names, in order, as announced by the plugins."""

    manager: Any
    resolvers: tuple[Callable[[RequestInfo], Resolution | None], ...]
    host_only: bool  # every one answers from the host and first path segment alone


def _build_chain() -> _Chain:
    manager = tenantry.get_plugin_manager()
    announced = tenantry.get_resolvers()
    specs = []
    for name in resolver_names():
        spec = announced.get(name)
        if spec is None:
            raise tenantry.PluginError(
                f"TENANTRY_RESOLVERS names {name!r}, but no plugin announces a resolver of "
                f"that name (installed: {', '.join(announced) or 'none'})."
            )
        specs.append(spec)
    resolvers = tuple(spec.resolve for spec in specs)
    return _Chain(manager, resolvers, all(spec.host_only for spec in specs))


def _chain() -> _Chain:
    chain = get_settings().derived("resolver-chain", _build_chain)
    if chain.manager is not tenantry.get_plugin_manager():  # plugins reconfigured in code
        return _build_chain()
    return chain


def _run(chain: _Chain, request: RequestInfo) -> Resolution | None:
    for resolve_with in chain.resolvers:
        resolution = resolve_with(request)
        if resolution is not None:
            return resolution
    return None


def resolve(request: RequestInfo) -> Resolution | None:
    """Ask the configured resolvers in order; the first answer wins."""
    return _run(_chain(), request)


# -- whole answers per (host, folder), for the domain resolver alone ---------------------

# (validated host, first path segment) -> (expires, chain it came from, answer). Only the
# built-in domain resolver alone answers from nothing but these two (header and session
# resolvers, and users' plugins, read more of the request), so only then is an answer
# remembered; it expires no later than the host cache entry it came from, so a changed row
# still reaches this process within TENANTRY_RESOLVER_CACHE_SECONDS.
_routes: dict[tuple[str, str], tuple[float, _Chain, Resolution | None]] = {}
_MAX_ROUTES = 4096


def resolve_request(host: str, path: str, describe: Callable[[], RequestInfo]) -> Resolution | None:
    """``resolve(describe())``, answered from memory for a host and folder seen recently.

    ``host`` is the validated Host header, ``path`` the path info; ``describe`` builds the
    full request description, only when the resolvers must really run. Redirects are never
    remembered (they carry the request's path).
    """
    chain = _chain()
    key = (host, first_segment(path))
    now = time.monotonic()
    hit = _routes.get(key)
    if hit is not None and hit[0] > now and hit[1] is chain:
        return hit[2]
    resolution = _run(chain, describe())
    if (resolution is None or resolution.redirect_to is None) and chain.host_only:
        if len(_routes) >= _MAX_ROUTES:  # invented hosts make it start over, not grow
            _routes.clear()
        expires = host_cache.expires(normalize_host(host), now + cache_seconds())
        _routes[key] = (expires, chain, resolution)
    return resolution


# -- hosts -----------------------------------------------------------------------------------


def first_segment(path: str) -> str:
    return path.lstrip("/").split("/", 1)[0]


@dataclass(frozen=True)
class _DomainEntry:
    tenant: Tenant
    folder: str
    redirect_to: str | None  # the primary domain ("host" or "host/folder") when redirecting

    @functools.cached_property
    def resolution(self) -> Resolution:
        """The answer for this entry when it does not redirect, built once per cache fill."""
        return Resolution(self.tenant, folder=self.folder or None, resolver="domain")


class _ExpiringCache(Generic[_Value]):
    """key -> value, each expiring after the configured seconds.

    Bounded: keys come from clients (hosts under ``ALLOWED_HOSTS = ["*"]``, header values),
    so a client inventing them makes the table start over instead of growing.
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._entries: dict[str, tuple[float, _Value]] = {}
        self._max_entries = max_entries

    def get(self, key: str, load: Callable[[str], _Value]) -> _Value:
        now = time.monotonic()
        cached = self._entries.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        value = load(key)
        if len(self._entries) >= self._max_entries and key not in self._entries:
            self._entries = {}
        self._entries[key] = (now + cache_seconds(), value)
        return value

    def expires(self, key: str, default: float) -> float:
        """When ``key``'s entry expires (``default`` when it has none)."""
        cached = self._entries.get(key)
        return min(cached[0], default) if cached is not None else default

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self, **kwargs: Any) -> None:
        self._entries = {}


# A host's domain rows by folder, and those of its www. twin (consulted when the host's own
# rows match nothing), from one query.
_HostEntries = tuple[dict[str, _DomainEntry], dict[str, _DomainEntry]]

host_cache: _ExpiringCache[_HostEntries] = _ExpiringCache()
# dynamic schema names for the header and session resolvers -> tenant (or None)
name_cache: _ExpiringCache[Tenant | None] = _ExpiringCache()


def _load_host(host: str) -> _HostEntries:
    config = get_config()
    twin = www_twin(host)
    if config.dynamic is None or not config.dynamic.domain_model or not could_be_stored(host):
        return {}, {}  # a host no row can have (a NUL byte, say) never reaches the database
    domain_model = apps.get_model(config.dynamic.domain_model)
    wanted = [host] if twin is None else [host, twin]
    own: dict[str, _DomainEntry] = {}
    twins: dict[str, _DomainEntry] = {}
    with tenantry.tenant_context(None):  # the domain rows are shared
        rows = list(
            domain_model._default_manager.using(config.public_database)
            .select_related("tenant")
            .filter(domain__in=wanted)
        )
        for row in rows:
            redirect_to = None
            if row.redirect_to_primary and not row.is_primary:
                primary = (
                    domain_model._default_manager.using(config.public_database)
                    .filter(tenant_id=row.tenant_id, is_primary=True)
                    .first()
                )
                redirect_to = primary.address if primary is not None else None
            entries = own if row.domain == host else twins
            entries[row.folder] = _DomainEntry(row.tenant, row.folder, redirect_to)
    return own, twins


def _entry(entries: dict[str, _DomainEntry], folder: str) -> _DomainEntry | None:
    entry = entries.get(folder) if folder else None
    return entries.get("") if entry is None else entry


def _static_match(
    host: str, twin: str | None, folder: str, domains: dict[str, StaticTenantConfig]
) -> Resolution | None:
    if not domains:
        return None
    for candidate in (host, twin):  # the host as sent first; its www. twin if that fails
        if candidate is None:
            continue
        if folder:
            static = domains.get(f"{candidate}/{folder}")
            if static is not None:
                return Resolution(static.descriptor, folder=folder, resolver="domain")
        static = domains.get(candidate)
        if static is not None:
            return Resolution(static.descriptor, resolver="domain")
    return None


def _redirect(request: RequestInfo, entry: _DomainEntry) -> str:
    rest = request.path.lstrip("/")
    if entry.folder:
        rest = rest[len(entry.folder) :].lstrip("/")
    return f"{request.scheme}://{entry.redirect_to}/{rest}"


def resolve_by_domain(request: RequestInfo) -> Resolution | None:
    """Static DOMAINS, then domain rows (with subfolders), then static FALLBACK_DOMAINS.

    At each step the host as sent is tried first, then its ``www.`` twin.
    """
    host, folder = normalize_host(request.host), first_segment(request.path)
    twin = www_twin(host)
    config = get_config()
    found = _static_match(host, twin, folder, config.static_domains)
    if found is not None:
        return found
    own, twins = host_cache.get(host, _load_host)
    entry = _entry(own, folder) or _entry(twins, folder)
    if entry is not None:
        if entry.redirect_to:
            return Resolution(
                entry.tenant,
                folder=entry.folder or None,
                redirect_to=_redirect(request, entry),
                resolver="domain",
            )
        return entry.resolution
    return _static_match(host, twin, folder, config.static_fallback_domains)


# -- header and session ------------------------------------------------------------------


def _load_name(name: str) -> Tenant | None:
    config = get_config()
    # The client chose this name: what cannot be a tenant's schema name (a NUL byte, which
    # PostgreSQL refuses with an error, a 10 kB string, a quote) is no tenant, decided
    # without a query. Checked here, on a cache miss, so a known name costs nothing more.
    if config.dynamic is None or not tenantry.is_valid_schema_name(name):
        return None
    tenant_model = apps.get_model(config.dynamic.tenant_model)
    with tenantry.tenant_context(None):
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
    config = get_config()
    for static in config.statics.values():
        if value in (static.key, alias_of(static)):
            return Resolution(static.descriptor, resolver=resolver)
    if len(value) > tenantry.MAX_IDENTIFIER_BYTES:  # never a name, and never a cache key
        return None
    tenant = name_cache.get(value, _load_name)
    return Resolution(tenant, resolver=resolver) if tenant is not None else None


def resolve_by_header(request: RequestInfo) -> Resolution | None:
    """``TENANTRY_HEADER`` (default ``X-Tenant``): a static key or HEADER, or a schema name."""
    name = get_settings().header
    return _by_name(request.header(name), lambda static: static.header, "header")


def resolve_by_session(request: RequestInfo) -> Resolution | None:
    """``TENANTRY_SESSION_KEY`` (default ``tenant``): a static key or SESSION_KEY, or a name."""
    key = get_settings().session_key
    return _by_name(request.session(key), lambda static: static.session_key, "session")


def clear_caches(**kwargs: Any) -> None:
    """Forget cached hosts and names in this process (connected to the models' signals)."""
    host_cache.clear()
    name_cache.clear()
    _routes.clear()


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in {"TENANTRY_RESOLVERS", "TENANTRY_RESOLVER_CACHE_SECONDS"}:
        _routes.clear()
    if setting in {"TENANTS", "TENANTRY_RESOLVER_CACHE_SECONDS"}:
        clear_caches()
