"""Domain rows hold the one spelling a browser's Host header arrives in, and every stored row
is reachable: IDNA, case, ports, schemes, paths, trailing dots, ``www.``, and a second domain
added through validation as the admin does it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from sandbox.customers.models import Domain, Tenant

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


class DomainForm(forms.ModelForm):
    """What the admin builds for the domain model (all fields editable)."""

    class Meta:
        model = Domain
        fields = ["tenant", "domain", "folder", "is_primary", "redirect_to_primary"]


def form_data(tenant: Tenant, domain: str, **more: Any) -> dict[str, Any]:
    return {"tenant": tenant.pk, "domain": domain, "folder": "", "is_primary": True, **more}


# -- normalisation: what is stored -----------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("Acme.Example.COM", "acme.example.com"),
        ("acme.example.com.", "acme.example.com"),  # the absolute form of the same name
        ("  acme.example.com ", "acme.example.com"),
        (UNICODE_HOST, ASCII_HOST),  # IDNA: the ASCII form browsers send
        ("BÜCHER.Example.com", ASCII_HOST),
        ("XN--BCHER-KVA.example.com", ASCII_HOST),
        ("www.acme.example.com", "www.acme.example.com"),  # kept: it is served as spelled
        ("localhost", "localhost"),
        ("127.0.0.1", "127.0.0.1"),
    ],
)
def test_a_domain_is_stored_in_the_form_browsers_send(make_tenant, given, stored):
    tenant = make_tenant()
    row = Domain(tenant=tenant, domain=given)
    row.full_clean()
    assert row.domain == stored
    row.save()
    assert Domain.objects.get(pk=row.pk).domain == stored
    # save() alone normalises too (code that never calls full_clean)
    other = Domain.objects.create(tenant=tenant, domain=given, folder="again")
    assert Domain.objects.get(pk=other.pk).domain == stored


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("http://acme.example.com", "scheme"),
        ("//acme.example.com", "scheme"),
        ("acme.example.com/shop", "folder"),
        ("acme.example.com:8123", "port"),
        ("x.localhost:8123", "port"),
        ("acme example.com", "not allowed"),
        ("bad_name.example.com", "not allowed"),  # Django refuses such Host headers
        ("acme..example.com", "empty label"),
        (".acme.example.com", "empty label"),
        ("-acme.example.com", "hyphen"),
        ("a" * 64 + ".example.com", "63"),
        # 233 characters, but 263 in the ASCII form browsers send
        (".".join(["ü" * 45] * 5) + ".com", "263 characters long; at most 253"),
        ("straße.example.com", "IDNA"),  # browsers and Python's codec disagree on its form
        ("xn--zz.example.com", "IDNA"),  # not valid punycode: can never be typed or shown
        ("", "blank"),
    ],
)
def test_a_domain_that_can_never_match_is_refused_naming_field_and_value(
    make_tenant, given, reason
):
    tenant = make_tenant()
    row = Domain(tenant=tenant, domain=given)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert set(caught.value.message_dict) == {"domain"}
    message = " ".join(caught.value.message_dict["domain"])
    assert reason in message
    if given:
        assert repr(given.strip()) in message
    with pytest.raises(ValidationError) as refused:
        Domain(tenant=tenant, domain=given).save()  # save() never stores it either
    assert set(refused.value.message_dict) == {"domain"}
    assert not Domain.objects.filter(tenant=tenant).exists()


def test_an_idn_is_shown_in_unicode_and_stored_in_ascii(make_tenant):
    tenant = make_tenant()
    row = Domain.objects.create(tenant=tenant, domain=UNICODE_HOST)
    assert row.domain == ASCII_HOST
    assert row.unicode_domain == UNICODE_HOST
    assert str(row) == UNICODE_HOST
    shop = Domain.objects.create(tenant=tenant, domain=ASCII_HOST, folder="shop")
    assert str(shop) == f"{UNICODE_HOST}/shop"
    assert Domain.objects.get(pk=row.pk).unicode_domain == UNICODE_HOST


def test_the_unicode_and_ascii_spellings_are_one_domain(make_tenant):
    first, second = make_tenant(), make_tenant()
    Domain.objects.create(tenant=first, domain=UNICODE_HOST)
    duplicate = Domain(tenant=second, domain="XN--BCHER-KVA.example.com.")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "already exists" in str(caught.value)


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


# -- one primary, and a second domain through validation ---------------------------------


def test_a_second_domain_passes_full_clean_and_becomes_the_primary(make_tenant):
    tenant = make_tenant()
    first = Domain(tenant=tenant, domain="one.example.com")
    first.full_clean()
    first.save()
    second = Domain(tenant=tenant, domain="two.example.com")  # is_primary defaults to True
    second.full_clean()
    second.save()
    first.refresh_from_db()
    assert (first.is_primary, second.is_primary) == (False, True)
    third = Domain(tenant=tenant, domain="three.example.com", is_primary=False)
    third.full_clean()
    third.save()
    primaries = Domain.objects.filter(tenant=tenant, is_primary=True)
    assert list(primaries.values_list("domain", flat=True)) == ["two.example.com"]


def test_a_second_domain_through_a_model_form_as_the_admin_adds_it(make_tenant):
    tenant = make_tenant()
    assert DomainForm(form_data(tenant, "one.example.com")).save()
    form = DomainForm(form_data(tenant, "Two.Example.com."))
    assert form.is_valid(), form.errors
    second = form.save()
    assert second.domain == "two.example.com"
    assert Domain.objects.filter(tenant=tenant, is_primary=True).get() == second
    # making the first one primary again through the form demotes the second
    first = Domain.objects.get(domain="one.example.com")
    form = DomainForm(form_data(tenant, "one.example.com"), instance=first)
    assert form.is_valid(), form.errors
    form.save()
    primary = Domain.objects.filter(tenant=tenant, is_primary=True).get()
    assert primary.domain == "one.example.com"


def test_the_form_reports_a_bad_domain_on_the_domain_field(make_tenant):
    tenant = make_tenant()
    form = DomainForm(form_data(tenant, "http://shop.example.com:8000/x"))
    assert not form.is_valid()
    assert set(form.errors) == {"domain"}
    assert "'http://shop.example.com:8000/x'" in form.errors["domain"][0]
    assert not Domain.objects.filter(tenant=tenant).exists()


def test_other_constraints_are_still_validated(make_tenant):
    first, second = make_tenant(), make_tenant()
    Domain.objects.create(tenant=first, domain="taken.example.com")
    form = DomainForm(form_data(second, "taken.example.com"))
    assert not form.is_valid()
    assert "already exists" in str(form.errors)


def test_selectors_see_the_stored_ascii_form(make_tenant):
    from tenantry import select_tenants
    from tenantry_django._catalog import DjangoTenantCatalog

    books = make_tenant("books", domain=UNICODE_HOST)
    Domain.objects.create(tenant=books, domain=UNICODE_HOST, folder="shop")
    selected = select_tenants([f"{ASCII_HOST}/shop"], DjangoTenantCatalog())
    assert [entry.key for entry in selected] == ["books"]
    assert [entry.key for entry in select_tenants([ASCII_HOST], DjangoTenantCatalog())] == ["books"]


def test_a_row_stored_before_these_rules_does_not_block_its_tenants_other_rows(make_tenant):
    from django.db import connection

    tenant = make_tenant("legacy", domain="legacy.test")
    with connection.cursor() as cursor:  # as an older version could store it
        cursor.execute(
            "INSERT INTO customers_domain (domain, folder, is_primary, redirect_to_primary, "
            "tenant_id) VALUES ('legacy.test:8000', '', false, false, %s)",
            [tenant.pk],
        )
    Domain.objects.get(domain="legacy.test").delete()  # promotes the old row
    promoted = Domain.objects.get(tenant=tenant)
    assert (promoted.domain, promoted.is_primary) == ("legacy.test:8000", True)
    promoted.redirect_to_primary = True
    with pytest.raises(ValidationError, match="port"):
        promoted.save()  # writing the whole row checks it, and says what to fix
