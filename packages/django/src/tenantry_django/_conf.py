"""``TENANTS`` parsed into typed values; the settings object (``conf.py``) holds the result.

``TENANTS`` keeps django-pgschemas' shape::

    TENANTS = {
        "public": {"APPS": [...]},
        "www": {"APPS": [...], "DOMAINS": ["example.com"], "DATABASE": "default", ...},
        "default": {"TENANT_MODEL": "customers.Tenant", "DOMAIN_MODEL": "customers.Domain",
                    "APPS": [...], "CLONE_REFERENCE": "sample"},
    }

Parsing here is forgiving on purpose: the system checks (``checks.py``) report every mistake
with an id; at run time a broken ``TENANTS`` raises ``ImproperlyConfigured``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured

from tenantry import DEFAULT_DATABASE, PUBLIC_SCHEMA, SchemaDescriptor, Tenant
from tenantry_django._domains import normalize_host

__all__ = [
    "DYNAMIC_KEY",
    "DYNAMIC_KEYS",
    "STATIC_KEYS",
    "DynamicTenantsConfig",
    "StaticTenantConfig",
    "TenancyConfig",
    "parse_tenants",
]

DYNAMIC_KEY = "default"
STATIC_KEYS = frozenset(
    {
        "APPS",
        "URLCONF",
        "WS_URLCONF",
        "DOMAINS",
        "FALLBACK_DOMAINS",
        "SESSION_KEY",
        "HEADER",
        "DATABASE",
    }
)
DYNAMIC_KEYS = frozenset(
    {"TENANT_MODEL", "DOMAIN_MODEL", "APPS", "URLCONF", "WS_URLCONF", "CLONE_REFERENCE"}
)


@dataclass(frozen=True)
class StaticTenantConfig:
    key: str
    apps: tuple[str, ...]
    urlconf: str | None = None
    ws_urlconf: str | None = None
    domains: tuple[str, ...] = ()
    fallback_domains: tuple[str, ...] = ()
    session_key: str | None = None
    header: str | None = None
    database: str = DEFAULT_DATABASE

    @functools.cached_property
    def descriptor(self) -> SchemaDescriptor:
        return SchemaDescriptor(
            self.key, self.database, domain=self.domains[0] if self.domains else None
        )


@dataclass(frozen=True)
class DynamicTenantsConfig:
    tenant_model: str
    domain_model: str | None
    apps: tuple[str, ...]
    urlconf: str | None = None
    ws_urlconf: str | None = None
    clone_reference: str | None = None


@dataclass(frozen=True)
class TenancyConfig:
    public: StaticTenantConfig
    statics: Mapping[str, StaticTenantConfig]  # without "public"
    dynamic: DynamicTenantsConfig | None
    extra_search_paths: tuple[str, ...] = ()
    _labels: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict, repr=False)

    @property
    def public_database(self) -> str:
        return self.public.database

    @property
    def reserved_schema_names(self) -> frozenset[str]:
        """Names a dynamic tenant may not take."""
        names = {PUBLIC_SCHEMA, *self.statics, *self.extra_search_paths}
        if self.dynamic and self.dynamic.clone_reference:
            names.add(self.dynamic.clone_reference)
        return frozenset(names)

    def app_labels(self, apps: tuple[str, ...]) -> frozenset[str]:
        """App labels for entries of an ``APPS`` list (module paths or AppConfig paths)."""
        labels = self._labels.get(apps)
        if labels is None:
            labels = frozenset(_labels_for(apps))
            self._labels[apps] = labels
        return labels

    def apps_for(self, tenant: Tenant | None) -> tuple[str, ...]:
        """The APPS installed in ``tenant``'s schema (``None`` and public: the public APPS)."""
        if tenant is None or tenant.schema_name == PUBLIC_SCHEMA:
            return self.public.apps
        static = self.statics.get(tenant.schema_name)
        if static is not None:
            return static.apps
        return self.dynamic.apps if self.dynamic else ()

    def labels_for(self, tenant: Tenant | None) -> frozenset[str]:
        return self.app_labels(self.apps_for(tenant))

    @functools.cached_property
    def public_labels(self) -> frozenset[str]:
        return self.app_labels(self.public.apps)

    @functools.cached_property
    def tenant_labels(self) -> frozenset[str]:
        """Labels of apps installed in any tenant schema (static or dynamic)."""
        labels: set[str] = set()
        for static in self.statics.values():
            labels |= self.app_labels(static.apps)
        if self.dynamic:
            labels |= self.app_labels(self.dynamic.apps)
        return frozenset(labels)

    @functools.cached_property
    def static_domains(self) -> dict[str, StaticTenantConfig]:
        """``host`` and ``host/folder`` of static DOMAINS -> tenant (first listed wins)."""
        return _first_listed(self.statics.values(), lambda static: static.domains)

    @functools.cached_property
    def static_fallback_domains(self) -> dict[str, StaticTenantConfig]:
        return _first_listed(self.statics.values(), lambda static: static.fallback_domains)

    def static_tenants(self) -> list[SchemaDescriptor]:
        return [self.public.descriptor, *(s.descriptor for s in self.statics.values())]

    def clone_reference(self) -> SchemaDescriptor | None:
        if self.dynamic is None or not self.dynamic.clone_reference:
            return None
        return SchemaDescriptor(self.dynamic.clone_reference, self.public_database)


def _first_listed(
    statics: Iterable[StaticTenantConfig], domains: Callable[[StaticTenantConfig], tuple[str, ...]]
) -> dict[str, StaticTenantConfig]:
    """Each of the ``domains`` of ``statics`` -> the first static tenant that lists it."""
    found: dict[str, StaticTenantConfig] = {}
    for static in statics:
        for domain in domains(static):
            found.setdefault(domain, static)
    return found


def _labels_for(entries: tuple[str, ...]) -> set[str]:
    from django.apps import apps

    wanted = set(entries)
    labels = set()
    for config in apps.get_app_configs():
        class_path = f"{type(config).__module__}.{type(config).__qualname__}"
        if config.name in wanted or class_path in wanted:
            labels.add(config.label)
    return labels


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple)):
        return tuple(str(item) for item in value)
    return ()


def _static_domain(domain: str) -> str:
    """``host`` or ``host/folder`` with the host in the form requests are looked up in
    (lowercase, IDNA, no port or trailing dot), as domain rows store theirs."""
    host, slash, folder = domain.partition("/")
    return normalize_host(host) + slash + folder.lower()


def _static(key: str, entry: Mapping[str, Any]) -> StaticTenantConfig:
    return StaticTenantConfig(
        key=key,
        apps=_strings(entry.get("APPS")),
        urlconf=entry.get("URLCONF"),
        ws_urlconf=entry.get("WS_URLCONF"),
        domains=tuple(_static_domain(d) for d in _strings(entry.get("DOMAINS"))),
        fallback_domains=tuple(_static_domain(d) for d in _strings(entry.get("FALLBACK_DOMAINS"))),
        session_key=entry.get("SESSION_KEY"),
        header=entry.get("HEADER"),
        database=entry.get("DATABASE") or DEFAULT_DATABASE,
    )


def parse_tenants(tenants: Any, extra_search_paths: Any = ()) -> TenancyConfig:
    if not isinstance(tenants, Mapping) or not isinstance(tenants.get(PUBLIC_SCHEMA), Mapping):
        raise ImproperlyConfigured(
            'TENANTS must be a dict with a "public" entry; run "manage.py check" for details.'
        )
    statics = {
        key: _static(key, entry)
        for key, entry in tenants.items()
        if key not in (PUBLIC_SCHEMA, DYNAMIC_KEY) and isinstance(entry, Mapping)
    }
    dynamic = None
    entry = tenants.get(DYNAMIC_KEY)
    if isinstance(entry, Mapping) and entry.get("TENANT_MODEL"):
        dynamic = DynamicTenantsConfig(
            tenant_model=str(entry["TENANT_MODEL"]),
            domain_model=entry.get("DOMAIN_MODEL"),
            apps=_strings(entry.get("APPS")),
            urlconf=entry.get("URLCONF"),
            ws_urlconf=entry.get("WS_URLCONF"),
            clone_reference=entry.get("CLONE_REFERENCE") or None,
        )
    return TenancyConfig(
        public=_static(PUBLIC_SCHEMA, tenants[PUBLIC_SCHEMA]),
        statics=statics,
        dynamic=dynamic,
        extra_search_paths=_strings(extra_search_paths),
    )
