"""cache_page and {% cache %} fragments are per tenant, with no per-view setup."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.template import Context, Engine
from django.test import Client, override_settings
from sandbox.notes.models import Note

from tenantry import tenant_context


@pytest.fixture
def two_sites(tenant_factory):
    acme = tenant_factory("page_a", domain="acme.cache.test")
    globex = tenant_factory("page_b", domain="globex.cache.test")
    for tenant, title in ((acme, "acme's note"), (globex, "globex's note")):
        with tenant_context(tenant):
            Note.objects.create(title=title)
    return acme, globex


def page(host: str, **headers: str) -> str:
    response = Client().get("/cached/", headers={"host": host, **headers})
    assert response.status_code == 200
    return response.content.decode()


def test_each_host_gets_its_own_cached_page(cache, two_sites):
    first_acme = page("acme.cache.test")
    first_globex = page("globex.cache.test")
    assert first_acme.startswith("schema=page_a notes=[acme's note]")
    assert first_globex.startswith("schema=page_b notes=[globex's note]")
    # Served from the cache: the same render, each tenant its own.
    assert page("acme.cache.test") == first_acme
    assert page("globex.cache.test") == first_globex


@override_settings(TENANTRY_RESOLVERS=["header"])
def test_tenants_sharing_one_url_never_get_each_others_page(cache, two_sites):
    """With the header resolver the URL is the same for both: only the key tells them apart."""
    first_acme = page("shared.cache.test", x_tenant="page_a")
    first_globex = page("shared.cache.test", x_tenant="page_b")
    assert "acme's note" in first_acme
    assert "globex's note" in first_globex
    assert page("shared.cache.test", x_tenant="page_a") == first_acme
    assert page("shared.cache.test", x_tenant="page_b") == first_globex


def test_template_fragments_are_cached_per_tenant(cache, two_sites):
    engine = Engine(libraries={"cache": "django.templatetags.cache"})
    template = engine.from_string("{% load cache %}{% cache 300 sidebar %}{{ who }}{% endcache %}")
    acme, globex = two_sites
    with tenant_context(acme):
        assert template.render(Context({"who": "acme"})) == "acme"
    with tenant_context(globex):
        assert template.render(Context({"who": "globex"})) == "globex"
    with tenant_context(acme):  # cached: the context no longer matters
        assert template.render(Context({"who": "changed"})) == "acme"
    assert caches["default"] is cache
