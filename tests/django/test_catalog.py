"""Selectors see static tenants from settings and dynamic tenants with their domains."""

from __future__ import annotations

import pytest
from sandbox.customers.models import Domain

from tenantry import AmbiguousSelectorError, TenantKind, select_tenants


def test_the_catalog_lists_static_then_dynamic_tenants_with_domains(make_tenant):
    acme = make_tenant("acme", domain="acme.example.com")
    Domain.objects.create(
        tenant=acme, domain="tenants.example.com", folder="acme", is_primary=False
    )
    make_tenant("globex", domain="globex.example.com")
    entries = select_tenants([":all:"])
    assert [(e.kind, e.key) for e in entries] == [
        (TenantKind.STATIC, "public"),
        (TenantKind.STATIC, "www"),
        (TenantKind.STATIC, "archive"),
        (TenantKind.DYNAMIC, "acme"),
        (TenantKind.DYNAMIC, "globex"),
    ]
    assert entries[3].tenant == acme
    assert set(entries[3].domains) == {"acme.example.com", "tenants.example.com/acme"}
    assert entries[1].domains == ("localhost", "tenants.localhost/www", "tenants.localhost")
    assert [e.key for e in select_tenants(["glo"])] == ["globex"]
    assert [e.key for e in select_tenants(["tenants.example.com/acme"])] == ["acme"]
    assert [e.tenant.database for e in select_tenants(["archive"])] == ["other"]
    with pytest.raises(AmbiguousSelectorError):
        select_tenants(["a"])  # archive.localhost and acme.example.com


def test_domains_read_in_chunks_each_reach_their_own_tenant(make_tenant, monkeypatch):
    from tenantry_django import _catalog

    monkeypatch.setattr(_catalog, "_DOMAINS_CHUNK", 2)  # 3 tenants: two queries
    acme = make_tenant("acme", domain="acme.example.com")
    Domain.objects.create(tenant=acme, domain="shop.example.com", folder="acme", is_primary=False)
    make_tenant("globex", domain="globex.example.com")
    make_tenant("initech")  # no domain at all

    entries = {e.key: e for e in select_tenants([":dynamic:"])}

    assert set(entries["acme"].domains) == {"acme.example.com", "shop.example.com/acme"}
    assert entries["globex"].domains == ("globex.example.com",)
    assert entries["initech"].domains == ()
    # Only the addresses are kept: a selection of 10,000 tenants must not hold a queryset
    # and the domain rows on each (the prefetch cache); tenant.domains still works.
    assert not hasattr(entries["acme"].tenant, "_prefetched_objects_cache")
    assert entries["globex"].tenant.domains.get().domain == "globex.example.com"
