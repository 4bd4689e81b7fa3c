"""The tenant catalog selectors match against: static tenants from settings, then rows."""

from __future__ import annotations

from collections.abc import Iterator

from django.apps import apps

from tenantry import CatalogEntry, TenantKind
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django.conf import get_settings

__all__ = ["DjangoTenantCatalog"]


class DjangoTenantCatalog:
    def entries(self) -> Iterator[CatalogEntry]:
        config = get_settings().tenants
        for static in (config.public, *config.statics.values()):
            domains = tuple(dict.fromkeys(static.domains + static.fallback_domains))
            yield CatalogEntry(static.descriptor, TenantKind.STATIC, static.key, domains)
        if config.dynamic is None:
            return
        tenant_model = apps.get_model(config.dynamic.tenant_model)
        queryset = tenant_model._default_manager.order_by("schema_name")
        if config.dynamic.domain_model:
            queryset = queryset.prefetch_related("domains")
        with tenant_tables_required():
            tenants = list(queryset)
        for tenant in tenants:
            hosts: tuple[str, ...] = ()
            if config.dynamic.domain_model:
                # the stored ASCII form, as static DOMAINS are (str() shows IDNs in Unicode)
                hosts = tuple(domain.address for domain in tenant.domains.all())
            yield CatalogEntry(tenant, TenantKind.DYNAMIC, tenant.schema_name, hosts)
