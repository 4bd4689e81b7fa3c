"""Every stored domain is reachable: a host is looked up however a browser spells it, and
at its ``www.`` twin when that spelling has no row of its own."""

from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from sandbox.customers.models import Domain

from tenantry import RequestInfo
from tenantry_django._domains import normalize_host
from tenantry_django.routing import clear_caches, resolve

UNICODE_HOST = "bücher.example.com"
ASCII_HOST = "xn--bcher-kva.example.com"


def served(host: str, path: str = "/") -> str | None:
    """The tenant the middleware serves ``host`` as, or None for a 404."""
    response = Client().get(path, headers={"host": host})
    if response.status_code == 404:
        return None
    assert response.status_code == 200, (host, response.status_code)
    return str(json.loads(response.content)["tenant"])


# -- normalisation: what is looked up --------------------------------------------------


@pytest.mark.parametrize(
    "host",
    [
        ASCII_HOST,
        "XN--BCHER-KVA.EXAMPLE.COM",
        f"{ASCII_HOST}.",
        f"{ASCII_HOST}:8000",
        f"{ASCII_HOST}.:443",
        f"www.{ASCII_HOST}",
    ],
)
def test_an_idn_domain_is_served_however_a_browser_spells_its_host(make_tenant, host):
    make_tenant("books", domain=UNICODE_HOST)
    assert served(host) == "books"


def test_a_unicode_host_from_a_resolver_caller_is_looked_up_in_ascii(make_tenant):
    """ASGI servers and plugins may hand over the Unicode form; it names the same row."""
    make_tenant("books", domain=UNICODE_HOST)
    assert normalize_host("BÜCHER.example.com.:8000") == ASCII_HOST
    resolution = resolve(RequestInfo(host=UNICODE_HOST))
    assert resolution is not None
    assert resolution.tenant.schema_name == "books"


@pytest.mark.parametrize(
    "host", ["bücher..example.com", "\x00", "xn--zz.example.com", "[::1", "a" * 300]
)
def test_a_host_that_cannot_be_a_domain_is_looked_up_as_nothing(make_tenant, host):
    make_tenant("books", domain=UNICODE_HOST)
    assert resolve(RequestInfo(host=host)) is None  # and never raises


# -- www. -------------------------------------------------------------------------------


def test_a_www_row_is_served_at_its_own_host_and_its_bare_twin(make_tenant):
    make_tenant("dubdub", domain="www.dubdub.test")
    assert served("www.dubdub.test") == "dubdub"
    assert served("WWW.DubDub.test.:8000") == "dubdub"
    assert served("dubdub.test") == "dubdub"


def test_a_bare_row_is_served_at_its_own_host_and_its_www_twin(make_tenant):
    make_tenant("bare", domain="bare.test")
    assert served("bare.test") == "bare"
    assert served("www.bare.test") == "bare"


def test_when_both_spellings_are_stored_each_host_gets_its_own_row(make_tenant):
    make_tenant("apex", domain="split.test")
    make_tenant("dubdub", domain="www.split.test")
    assert served("split.test") == "apex"
    assert served("www.split.test") == "dubdub"


def test_a_primary_www_domain_can_receive_the_bare_hosts_redirect(make_tenant):
    tenant = make_tenant("canon", domain="www.canon.test")
    Domain.objects.create(
        tenant=tenant, domain="canon.test", is_primary=False, redirect_to_primary=True
    )
    response = Client().get("/notes/?a=1", headers={"host": "canon.test"})
    assert response.status_code == 301
    assert response["Location"] == "http://www.canon.test/notes/?a=1"
    assert served("www.canon.test") == "canon"


def test_folders_of_a_www_row_are_served_at_the_bare_host(make_tenant):
    tenant = make_tenant("shelf")
    Domain.objects.create(tenant=tenant, domain="www.shelf.test", folder="books")
    assert served("shelf.test", "/books/") == "shelf"
    assert served("shelf.test", "/other/") is None


@override_settings(
    TENANTS={
        "public": {"APPS": ["tenantry_django"]},
        "www": {
            "APPS": ["sandbox.blog"],
            "URLCONF": "sandbox.urls_static",
            "DOMAINS": ["WWW.Static.Test.", "Bücher.Static.test"],
        },
    }
)
def test_static_domains_follow_the_same_rules(static_schema):
    clear_caches()
    static_schema("www")
    assert served("www.static.test") == "www"
    assert served("static.test:8000") == "www"
    assert served("xn--bcher-kva.static.test") == "www"
