"""Values a client controls (X-Tenant header, session value, Host header, folder path) that
name no tenant end in a 404 (or the project's unknown-host view) or Django's 400, never a 500
and never a database error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from sandbox.customers.models import Domain

# Each is something no schema can be called: PostgreSQL refuses a NUL in any text value
# (DataError), the rest are too long, quoted, or not identifiers at all.
NOT_SCHEMA_NAMES = [
    "acme\x00",
    "\x00",
    "a" * 64,
    "a" * 10_000,
    'acme"; DROP SCHEMA acme CASCADE; --',
    "Acme",
    "acme ",
    "public",
    "pg_catalog",
    "information_schema",
    "é",
]


@pytest.fixture
def sites(make_tenant: Any, static_schema: Any) -> None:
    static_schema("www")
    make_tenant("acme", domain="acme.test")
    folded = make_tenant("folded")
    Domain.objects.create(tenant=folded, domain="tenants.localhost", folder="folded")


def tenant_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(json.loads(response.content)["tenant"])


@override_settings(TENANTRY_RESOLVERS=["header"])
@pytest.mark.parametrize("value", NOT_SCHEMA_NAMES)
def test_a_header_that_cannot_be_a_schema_name_is_a_404_without_a_query(sites, value):
    with CaptureQueriesContext(connection) as queries:
        response = Client().get("/", headers={"host": "acme.test", "X-Tenant": value})
    assert response.status_code == 404
    assert not queries.captured_queries  # refused before any lookup


@override_settings(
    TENANTRY_RESOLVERS=["header"],
    TENANTRY_UNKNOWN_HOST_VIEW="sandbox.views_unknown.unknown_host",
)
def test_a_header_that_cannot_be_a_schema_name_gets_the_unknown_host_view(sites):
    response = Client().get("/", headers={"host": "acme.test", "X-Tenant": "acme\x00"})
    assert response.status_code == 410


@override_settings(TENANTRY_RESOLVERS=["header", "domain"])
def test_after_a_refused_header_the_next_resolver_still_answers(sites):
    response = Client().get("/", headers={"host": "acme.test", "X-Tenant": "\x00"})
    assert tenant_of(response) == "acme"


def session_client(value: object) -> Client:
    client = Client()
    session = client.session
    session["tenant"] = value
    session.save()
    return client


@override_settings(TENANTRY_RESOLVERS=["session"])
@pytest.mark.parametrize(
    "value", [*NOT_SCHEMA_NAMES, 42, 4.2, True, None, ["acme"], {"name": "acme"}, ""]
)
def test_a_session_value_that_cannot_be_a_schema_name_is_a_404(sites, value):
    response = session_client(value).get("/", headers={"host": "anything.test"})
    assert response.status_code == 404


@override_settings(TENANTRY_RESOLVERS=["session"])
def test_a_valid_session_value_still_resolves(sites):
    assert tenant_of(session_client("acme").get("/", headers={"host": "x.test"})) == "acme"


@pytest.mark.parametrize(
    "host",
    ["acme.test\x00", "acme\x00.test", "acme.test:80\x00", "acme.test/../", "ac me.test", "é.test"],
)
def test_a_host_header_with_odd_bytes_is_djangos_400(sites, host):
    assert Client().get("/", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("path", ["/fold\x00ed/", "/\x00/", "/%00/", "/folded%00/", "/..%2f/"])
def test_a_folder_segment_with_odd_bytes_is_a_404(sites, path):
    assert Client().get(path, headers={"host": "tenants.localhost"}).status_code == 404


def test_the_real_folder_still_routes(sites):
    assert tenant_of(Client().get("/folded/", headers={"host": "tenants.localhost"})) == "folded"


@override_settings(TENANTRY_RESOLVERS=["header", "domain"])
def test_invented_hosts_and_names_do_not_grow_the_caches_without_bound(sites, monkeypatch):
    """Under ALLOWED_HOSTS = ["*"] every Host header, and every X-Tenant value, is a key a
    client chooses: the caches start over at their bound instead of growing."""
    from tenantry import RequestInfo
    from tenantry_django.routing import resolve
    from tenantry_django.routing._cache import current_caches

    caches = current_caches()
    monkeypatch.setattr(caches.domains, "max_entries", 50)
    monkeypatch.setattr(caches.names, "max_entries", 50)
    for index in range(120):
        request = RequestInfo(host=f"h{index}.test", headers={"x-tenant": f"n{index}"})
        assert resolve(request) is None
    assert 0 < len(caches.domains.entries) <= 50
    assert 0 < len(caches.names.entries) <= 50
    assert resolve(RequestInfo(host="acme.test")).tenant.schema_name == "acme"


@override_settings(TENANTRY_RESOLVERS=["header"])
def test_an_over_long_header_value_is_not_remembered(sites):
    """The name cache is bounded by count; its keys are bounded by length too."""
    from tenantry_django.routing._cache import current_caches

    for value in ("nobody", "a" * 100_000):
        response = Client().get("/", headers={"host": "acme.test", "X-Tenant": value})
        assert response.status_code == 404
    assert "nobody" in current_caches().names.entries
    assert all(len(key) <= 63 for key in current_caches().names.entries)
