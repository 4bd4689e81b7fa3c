"""Domain rows hold the one spelling a browser's Host header arrives in: IDNA, case, ports,
schemes, paths and trailing dots are normalised or refused, and a second domain is added
through validation as the admin does it."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.core.exceptions import ValidationError
from sandbox.customers.models import Domain, Tenant

UNICODE_HOST = "bücher.example.com"
ASCII_HOST = "xn--bcher-kva.example.com"


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
