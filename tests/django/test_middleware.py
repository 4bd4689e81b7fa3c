"""Request routing: every host / port / www / folder / fallback / redirect / header / session
case, unknown hosts, and resolvers stacked in both orders."""

from __future__ import annotations

import json
import time

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from sandbox.customers.models import Domain

import tenantry
from tenantry import PluginError


@pytest.fixture
def sites(make_tenant, static_schema):
    static_schema("www")
    acme = make_tenant("acme", domain="acme.test")
    Domain.objects.create(
        tenant=acme, domain="old-acme.test", is_primary=False, redirect_to_primary=True
    )
    folded = make_tenant("folded")
    Domain.objects.create(tenant=folded, domain="tenants.localhost", folder="folded")
    make_tenant("globex", domain="globex.test")
    return acme


def get(host: str, path: str = "/", client: Client | None = None, **headers: str):
    return (client or Client()).get(path, headers={"host": host, **headers})


def body(response) -> dict:
    return json.loads(response.content)


@pytest.mark.parametrize(
    ("host", "path", "tenant", "url"),
    [
        ("acme.test", "/", "acme", "/"),
        ("acme.test:8000", "/", "acme", "/"),  # port stripped
        ("www.acme.test", "/", "acme", "/"),  # leading www. stripped
        ("ACME.Test", "/", "acme", "/"),  # hosts are case-insensitive
        ("globex.test", "/", "globex", "/"),
        ("tenants.localhost", "/folded/", "folded", "/folded/"),  # a dynamic subfolder
        ("tenants.localhost", "/www/", "www", "/www/"),  # a static subfolder
        ("tenants.localhost", "/", "www", "/"),  # FALLBACK_DOMAINS, after the rows
        ("localhost", "/", "www", "/"),  # static DOMAINS
        ("localhost:8000", "/", "www", "/"),
    ],
)
def test_domains_resolve_to_their_tenant(sites, host, path, tenant, url):
    response = get(host, path)
    assert response.status_code == 200
    assert body(response) == {
        "tenant": tenant,
        "schema": tenant,
        "url": url,
        "folder": url.strip("/") or None,
    }


def test_a_domain_marked_redirect_to_primary_answers_301_keeping_path_and_query(sites):
    response = get("old-acme.test", "/notes/?page=2")
    assert response.status_code == 301
    assert response["Location"] == "http://acme.test/notes/?page=2"


def test_redirects_inside_a_subfolder_tenant_carry_the_folder(sites):
    response = get("tenants.localhost", "/folded/go/")
    assert response.status_code == 302
    assert response["Location"] == "/folded/"


def test_unknown_hosts_get_404_and_never_public(sites):
    response = get("unknown.test")
    assert response.status_code == 404
    assert b"public" not in response.content


@override_settings(DEBUG=False)  # production: Django's own 404 page would name nothing
@pytest.mark.parametrize("host", ["unknown.test", "unknown.test:8000", "[::1]:8000"])
def test_the_unknown_host_page_names_the_host_and_the_fix(sites, host):
    response = get(host)
    assert response.status_code == 404
    page = response.content.decode()
    assert f"No tenant is served at <code>{host}</code>." in page
    assert 'add a domain row for it (the model named by\n<code>TENANTS["default"]' in page
    assert "list it in a static tenant's\n<code>DOMAINS</code>" in page
    for other in ("acme", "globex", "folded", "localhost", "www", "public"):
        assert other not in page  # nothing about other tenants


@override_settings(DEBUG=False)
def test_a_host_with_markup_never_reaches_the_page_unescaped(sites):
    # Django's host validation refuses anything but letters, digits, '-', '.', a port and
    # an IPv6 literal: markup gets a 400 and never reaches the page.
    response = get("<script>alert(1)</script>.test")
    assert response.status_code == 400
    assert b"<script>" not in response.content
    # The page escapes whatever host it is given all the same.
    from tenantry_django._unknown_host import unknown_host_response

    page = unknown_host_response('<script>alert("x")</script>&.test').content.decode()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;.test" in page


def test_unknown_host_view_is_configurable(sites):
    with override_settings(TENANTRY_UNKNOWN_HOST_VIEW="sandbox.views_unknown.unknown_host"):
        response = get("unknown.test")
    assert response.status_code == 410
    assert response.content == b"no tenant at unknown.test"


@pytest.mark.parametrize(
    ("host", "path", "expected"),
    [
        ("acme.test", "/missing/", b"not found in acme"),
        ("tenants.localhost", "/folded/missing/", b"not found in folded"),
    ],
)
def test_the_tenant_urlconfs_handler404_is_kept(sites, host, path, expected):
    response = get(host, path)
    assert response.status_code == 404
    assert response.content == expected


def test_a_path_outside_every_folder_falls_back(sites):
    assert get("tenants.localhost", "/elsewhere/").status_code == 404  # www's urlconf
    assert body(get("tenants.localhost", "/"))["tenant"] == "www"


def test_tenant_rows_are_served_by_the_tenants_schema(sites):
    from sandbox.notes.models import Note

    from tenantry import tenant_context

    with tenant_context(sites):
        Note.objects.create(title="acme's note")
    assert body(get("acme.test", "/notes/")) == {"notes": ["acme's note"]}
    assert body(get("globex.test", "/notes/")) == {"notes": []}


@override_settings(TENANTRY_RESOLVERS=["header"])
@pytest.mark.parametrize(
    ("value", "tenant"),
    [("acme", "acme"), ("main-site", "www"), ("www", "www"), ("globex", "globex")],
)
def test_header_resolver(sites, value, tenant):
    assert body(get("anything.test", **{"X-Tenant": value}))["tenant"] == tenant


@override_settings(TENANTRY_RESOLVERS=["header"])
def test_header_resolver_rejects_unknown_and_missing_values(sites):
    assert get("acme.test", **{"X-Tenant": "nobody"}).status_code == 404
    assert get("acme.test").status_code == 404  # the domain resolver is off


@override_settings(TENANTRY_RESOLVERS=["session"])
def test_session_resolver(sites):
    client = Client()
    session = client.session
    session["tenant"] = "globex"
    session.save()
    assert body(get("anything.test", client=client))["tenant"] == "globex"
    session["tenant"] = "main-site"
    session.save()
    assert body(get("anything.test", client=client))["tenant"] == "www"
    assert get("anything.test").status_code == 404  # no session, no tenant


@pytest.mark.parametrize(
    ("resolvers", "expected"),
    [(["header", "domain"], "globex"), (["domain", "header"], "acme")],
)
def test_stacked_resolvers_answer_in_the_configured_order(sites, resolvers, expected):
    with override_settings(TENANTRY_RESOLVERS=resolvers):
        assert body(get("acme.test", **{"X-Tenant": "globex"}))["tenant"] == expected
        # when the first declines, the next answers
        assert body(get("unknown.test", **{"X-Tenant": "globex"}))["tenant"] == "globex"
        assert body(get("acme.test", **{"X-Tenant": "nobody"}))["tenant"] == "acme"


def test_a_third_party_resolver_slots_in_by_name(sites):
    with override_settings(TENANTRY_RESOLVERS=["example", "domain"]):
        response = get("globex.test", **{"X-Example-Tenant": "acme"})
        assert body(response)["tenant"] == "acme"
        assert body(get("globex.test"))["tenant"] == "globex"


def test_an_unknown_resolver_name_is_a_clear_error(sites):
    with (
        override_settings(TENANTRY_RESOLVERS=["domain", "dns"]),
        pytest.raises(PluginError, match="TENANTRY_RESOLVERS names 'dns'"),
    ):
        get("acme.test")


def test_a_cached_host_costs_no_query(sites):
    get("acme.test")  # fills the cache
    with CaptureQueriesContext(connection) as queries:
        response = get("acme.test")
    assert response.status_code == 200
    assert [q["sql"] for q in queries] == ["SELECT current_schema()"]  # the view's only


def test_a_changed_domain_row_takes_effect_at_once_in_this_process(sites):
    assert get("acme.example").status_code == 404
    Domain.objects.filter(domain="acme.test").update(domain="acme.example")  # no signal...
    domain = Domain.objects.get(domain="acme.example")
    domain.save()  # ...but a save does
    assert body(get("acme.example"))["tenant"] == "acme"
    # the old host was answered from memory a moment ago: forgotten with the change
    assert get("acme.test").status_code == 404


def test_a_remembered_host_follows_plugins_reconfigured_in_code(sites, clean_plugins):
    assert body(get("acme.test"))["tenant"] == "acme"  # now answered from memory
    tenantry.configure_plugins(blocked=["domain"])  # a new plugin manager, same settings
    with pytest.raises(PluginError, match="TENANTRY_RESOLVERS names 'domain'"):
        get("acme.test")
    tenantry.configure_plugins()
    assert body(get("acme.test"))["tenant"] == "acme"


def test_a_remembered_host_follows_a_changed_urlconf(sites, settings):
    assert get("acme.test", "/notes/").status_code == 200  # now answered from memory
    tenants = {**settings.TENANTS, "default": {**settings.TENANTS["default"]}}
    tenants["default"]["URLCONF"] = "sandbox.urls_static"  # no notes/ there
    with override_settings(TENANTS=tenants):
        assert get("acme.test", "/notes/").status_code == 404
    assert get("acme.test", "/notes/").status_code == 200


def test_hosts_served_in_turn_each_get_their_own_tenant(sites):
    for _ in range(3):  # the second and third rounds come from memory
        assert body(get("acme.test"))["tenant"] == "acme"
        assert body(get("globex.test"))["tenant"] == "globex"
        assert body(get("tenants.localhost", "/folded/"))["tenant"] == "folded"
        assert body(get("tenants.localhost", "/"))["tenant"] == "www"


def test_other_processes_changes_arrive_within_the_cache_time(sites, monkeypatch):
    assert body(get("acme.test"))["tenant"] == "acme"
    with connection.cursor() as cursor:  # as another process would: no signal here
        cursor.execute(
            "UPDATE customers_domain SET domain = 'moved.test' WHERE domain = 'acme.test'"
        )
    assert body(get("acme.test"))["tenant"] == "acme"  # still cached
    later = time.monotonic() + 10.5  # TENANTRY_RESOLVER_CACHE_SECONDS defaults to 10
    monkeypatch.setattr("tenantry_django.routing._cache.time.monotonic", lambda: later)
    assert get("acme.test").status_code == 404
    assert body(get("moved.test"))["tenant"] == "acme"


def test_allowed_hosts_still_guard_every_request(sites):
    with override_settings(ALLOWED_HOSTS=["acme.test"]):
        assert body(get("acme.test"))["tenant"] == "acme"
        assert get("globex.test").status_code == 400  # DisallowedHost, as plain Django
        assert get("globex.test").status_code == 400  # a rejected host is never remembered
    assert body(get("globex.test"))["tenant"] == "globex"
    with override_settings(ALLOWED_HOSTS=["globex.test"]):
        # acme.test was accepted before; the changed setting is honoured at once
        assert get("acme.test").status_code == 400


def test_x_forwarded_host_is_honoured_only_when_django_is_told_to(sites):
    forwarded = {"x-forwarded-host": "globex.test"}
    assert body(get("acme.test", **forwarded))["tenant"] == "acme"
    with override_settings(USE_X_FORWARDED_HOST=True):
        assert body(get("acme.test", **forwarded))["tenant"] == "globex"


def test_each_redirect_carries_its_own_requests_path(sites):
    """Answers are remembered per host and folder, but never a redirect: it holds the path."""
    assert get("old-acme.test", "/a/")["Location"] == "http://acme.test/a/"
    assert get("old-acme.test", "/b/?x=1")["Location"] == "http://acme.test/b/?x=1"


def test_an_unknown_host_added_elsewhere_is_served_within_the_cache_time(sites, monkeypatch):
    assert get("late.test").status_code == 404  # remembered as unknown
    with connection.cursor() as cursor:  # another process adds the domain: no signal here
        cursor.execute(
            "INSERT INTO customers_domain (domain, folder, is_primary, redirect_to_primary, "
            "tenant_id) SELECT 'late.test', '', false, false, id FROM customers_tenant "
            "WHERE schema_name = 'globex'"
        )
    assert get("late.test").status_code == 404
    later = time.monotonic() + 10.5
    monkeypatch.setattr("tenantry_django.routing._cache.time.monotonic", lambda: later)
    assert body(get("late.test"))["tenant"] == "globex"


@override_settings(TENANTRY_RESOLVERS=["header", "domain"])
def test_with_a_header_resolver_one_host_serves_whichever_tenant_is_asked(sites):
    """Only the domain resolver alone answers from host and folder; here each request counts."""
    assert body(get("acme.test", x_tenant="globex"))["tenant"] == "globex"
    assert body(get("acme.test"))["tenant"] == "acme"
    assert body(get("acme.test", x_tenant="www"))["tenant"] == "www"
