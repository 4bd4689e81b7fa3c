"""The ``domain`` resolver: static ``DOMAINS``, then domain rows (with subfolders), then
static ``FALLBACK_DOMAINS``; at each step the host as sent first, then its ``www.`` twin.

A host's rows are read with one query and remembered with the other routing caches: a hit
costs no query.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.apps import apps

import tenantry
from tenantry import RequestInfo, Resolution, Tenant
from tenantry_django._conf import StaticTenantConfig
from tenantry_django._domains import could_be_stored, normalize_host, www_twin
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django.conf import get_settings
from tenantry_django.routing._cache import current_caches
from tenantry_django.routing._request import first_segment

__all__ = ["HostEntries", "resolve_by_domain"]


@dataclass(frozen=True)
class DomainEntry:
    tenant: Tenant
    folder: str
    redirect_to: str | None  # the primary domain ("host" or "host/folder") when redirecting

    @functools.cached_property
    def resolution(self) -> Resolution:
        """The answer for this entry when it does not redirect, built once per cache fill."""
        return Resolution(self.tenant, folder=self.folder or None, resolver="domain")


# A host's domain rows by folder, and those of its www. twin (consulted when the host's own
# rows match nothing), from one query.
HostEntries = tuple[dict[str, DomainEntry], dict[str, DomainEntry]]


def _load_host(host: str) -> HostEntries:
    config = get_settings().tenants
    twin = www_twin(host)
    if config.dynamic is None or not config.dynamic.domain_model or not could_be_stored(host):
        return {}, {}  # a host no row can have (a NUL byte, say) never reaches the database
    domain_model = apps.get_model(config.dynamic.domain_model)
    wanted = [host] if twin is None else [host, twin]
    own: dict[str, DomainEntry] = {}
    twins: dict[str, DomainEntry] = {}
    # The domain rows are shared (querysets made here).
    with tenantry.tenant_context(None), tenant_tables_required():
        rows_of = domain_model._default_manager.using(config.public_database)
        for row in list(rows_of.select_related("tenant").filter(domain__in=wanted)):
            redirect_to = None
            if row.redirect_to_primary and not row.is_primary:
                primary = rows_of.filter(tenant_id=row.tenant_id, is_primary=True).first()
                redirect_to = primary.address if primary is not None else None
            entries = own if row.domain == host else twins
            entries[row.folder] = DomainEntry(row.tenant, row.folder, redirect_to)
    return own, twins


def _entry(entries: dict[str, DomainEntry], folder: str) -> DomainEntry | None:
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


def _redirect(request: RequestInfo, entry: DomainEntry) -> str:
    rest = request.path.lstrip("/")
    if entry.folder:
        rest = rest[len(entry.folder) :].lstrip("/")
    return f"{request.scheme}://{entry.redirect_to}/{rest}"


def resolve_by_domain(request: RequestInfo) -> Resolution | None:
    """Static DOMAINS, then domain rows (with subfolders), then static FALLBACK_DOMAINS."""
    host, folder = normalize_host(request.host), first_segment(request.path)
    twin = www_twin(host)
    config = get_settings().tenants
    found = _static_match(host, twin, folder, config.static_domains)
    if found is not None:
        return found
    own, twins = current_caches().domains.get(host, _load_host)
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
