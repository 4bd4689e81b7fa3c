from __future__ import annotations

import pytest

from tenantry import (
    AmbiguousSelectorError,
    CatalogEntry,
    SchemaDescriptor,
    SelectorError,
    StaticCatalog,
    TenantKind,
    UnknownSelectorError,
    select_tenants,
)


def static(key: str, *domains: str) -> CatalogEntry:
    return CatalogEntry(SchemaDescriptor(key), TenantKind.STATIC, key, domains)


def dynamic(key: str, *domains: str) -> CatalogEntry:
    return CatalogEntry(SchemaDescriptor(key), TenantKind.DYNAMIC, key, domains)


CATALOG = StaticCatalog(
    (
        static("public"),
        static("www", "localhost", "www.example.com"),
        static("blog", "blog.example.com"),
        dynamic("tenant1", "tenant1.example.com", "t1.example.org"),
        dynamic("tenant2", "tenant2.example.com"),
        dynamic("tenant3", "tenants.example.com/tenant3"),
        dynamic("tenant4", "tenants.example.com/tenant4"),
        dynamic("acme", "acme.example.com", "acme.example.com.au"),
    )
)


def keys(selectors: list[str]) -> list[str]:
    return [entry.key for entry in select_tenants(selectors, CATALOG)]


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        ([":all:"], ["public", "www", "blog", "tenant1", "tenant2", "tenant3", "tenant4", "acme"]),
        ([":static:"], ["public", "www", "blog"]),
        ([":dynamic:"], ["tenant1", "tenant2", "tenant3", "tenant4", "acme"]),
        (["www"], ["www"]),  # static key
        (["tenant2"], ["tenant2"]),  # dynamic schema name
        (["blog.ex"], ["blog"]),  # domain prefix, one tenant
        (["t1"], ["tenant1"]),  # prefix of a second domain
        (["localhost"], ["www"]),  # exact domain
        (["TENANT2.Example.com"], ["tenant2"]),  # hosts are case-insensitive
        (["tenants.example.com/tenant4"], ["tenant4"]),  # domain/folder
        (["tenants.example.com/tenant3/"], ["tenant3"]),
        (["acme.example.com"], ["acme"]),  # exact beats the longer acme.example.com.au
        (["tenant2", "www", "tenant2"], ["www", "tenant2"]),  # catalog order, once each
        ([":dynamic:", "public"], ["public", "tenant1", "tenant2", "tenant3", "tenant4", "acme"]),
    ],
)
def test_selectors(selectors, expected):
    assert keys(selectors) == expected


def test_selected_entries_carry_the_tenant():
    [entry] = select_tenants(["tenant1"], CATALOG)
    assert entry.tenant == SchemaDescriptor("tenant1")
    assert entry.kind is TenantKind.DYNAMIC


@pytest.mark.parametrize(
    ("selector", "candidates"),
    [
        ("tenant", ("tenant1", "tenant2", "tenant3", "tenant4")),  # prefix of several hosts
        ("tenants.example.com", ("tenant3", "tenant4")),  # one host, several folders
    ],
)
def test_ambiguous_selectors_name_the_candidates(selector, candidates):
    with pytest.raises(AmbiguousSelectorError) as caught:
        select_tenants([selector], CATALOG)
    assert caught.value.candidates == candidates
    for key in candidates:
        assert key in str(caught.value)
    assert f"matches {len(candidates)} tenants" in str(caught.value)


def test_ambiguous_error_shows_the_domains():
    with pytest.raises(AmbiguousSelectorError, match=r"tenant1 \(tenant1\.example\.com"):
        select_tenants(["tenant"], CATALOG)


def test_a_static_key_and_dynamic_schema_name_that_clash_are_ambiguous():
    clash = StaticCatalog((static("same"), dynamic("same")))
    with pytest.raises(AmbiguousSelectorError, match="'same' matches 2 tenants"):
        select_tenants(["same"], clash)


@pytest.mark.parametrize(
    ("selector", "suggestion"),
    [
        ("tenant5", "tenant1"),
        ("wwww", "www"),
        ("tenants.example.com/tenant9", "tenants.example.com/tenant3"),
    ],
)
def test_unknown_selectors_suggest_close_candidates(selector, suggestion):
    with pytest.raises(UnknownSelectorError) as caught:
        select_tenants([selector], CATALOG)
    assert suggestion in caught.value.candidates
    assert f"No tenant matches {selector!r}. Did you mean:" in str(caught.value)


def test_unknown_selector_without_close_match_explains_the_forms():
    with pytest.raises(UnknownSelectorError, match="A selector is a static key") as caught:
        select_tenants(["zzzzzz"], CATALOG)
    assert caught.value.candidates == ()


def test_unknown_wildcard_lists_the_wildcards():
    with pytest.raises(UnknownSelectorError, match="Unknown wildcard ':everything:'") as caught:
        select_tenants([":everything:"], CATALOG)
    assert caught.value.candidates == (":all:", ":static:", ":dynamic:")


@pytest.mark.parametrize("selectors", [[], [""], ["  "]])
def test_empty_input_is_an_error(selectors):
    with pytest.raises(UnknownSelectorError):
        select_tenants(selectors, CATALOG)


def test_one_bad_selector_fails_the_whole_selection():
    with pytest.raises(SelectorError) as caught:
        select_tenants(["www", "nope", "tenant1"], CATALOG)
    assert caught.value.selector == "nope"


@pytest.mark.parametrize("selector", ["/", "//"])
def test_a_selector_of_slashes_names_no_tenant(selector):
    only_one_with_domains = StaticCatalog((static("public"), dynamic("solo", "solo.example.com")))
    with pytest.raises(UnknownSelectorError):
        select_tenants([selector], only_one_with_domains)
