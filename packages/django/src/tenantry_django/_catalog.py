"""The tenant catalog selectors match against: static tenants from settings, then rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.apps import apps
from django.db import models

from tenantry import CatalogEntry, TenantKind
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django.conf import get_settings

__all__ = ["DjangoTenantCatalog"]

# Tenants whose domains one query reads: the domain rows in memory at once stay bounded.
_DOMAINS_CHUNK = 1000


def _addresses(
    tenant_model: type[models.Model], tenants: Sequence[models.Model]
) -> list[tuple[str, ...]]:
    """Each tenant's domain addresses (in the order of ``tenants``), read in chunks.

    Not ``prefetch_related("domains")``: that keeps a queryset and the domain rows on every
    tenant for as long as the selection lives (about 2 KB per tenant); only the addresses are
    kept here. The rows come from the manager ``tenant.domains`` uses, in its order.
    """
    relation: Any = tenant_model._meta.get_field("domains")
    foreign_key = relation.field  # the domain model's ForeignKey to the tenant model
    rows = relation.related_model._default_manager.all()
    joined_on = foreign_key.target_field.attname  # the tenant's field it points at
    found: dict[Any, list[str]] = {}
    for start in range(0, len(tenants), _DOMAINS_CHUNK):
        chunk = [getattr(t, joined_on) for t in tenants[start : start + _DOMAINS_CHUNK]]
        for domain in rows.filter(**{f"{foreign_key.name}__in": chunk}):
            # the stored ASCII form, as static DOMAINS are (str() shows IDNs in Unicode)
            found.setdefault(getattr(domain, foreign_key.attname), []).append(domain.address)
    return [tuple(found.pop(getattr(t, joined_on), ())) for t in tenants]


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
        with tenant_tables_required():
            tenants = list(queryset)
            hosts: list[tuple[str, ...]] = [()] * len(tenants)
            if config.dynamic.domain_model:
                hosts = _addresses(tenant_model, tenants)
        for tenant, addresses in zip(tenants, hosts, strict=True):
            yield CatalogEntry(tenant, TenantKind.DYNAMIC, tenant.schema_name, addresses)
