"""Property-based: schema names, identifier quoting and selectors, on any input.

A name is a schema name only if nothing in it could change the SQL it is put in; quoting
always yields exactly one identifier; a selector selects exactly the tenants it names, or
nothing with a clear error.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tenantry import (
    AmbiguousSelectorError,
    CatalogEntry,
    SchemaDescriptor,
    SchemaNameError,
    SelectorError,
    StaticCatalog,
    TenantKind,
    is_valid_schema_name,
    quote_identifier,
    select_tenants,
    validate_schema_name,
)

FUZZ = settings(max_examples=200, deadline=None, database=None)

# Fragments that would end or escape an identifier, comment out the rest, or smuggle a byte.
INJECTIONS = ['"', '""', "'", ";", "--", "/*", "*/", "\x00", " ", "\\", "$$", "\n", "%s", "."]
SCHEMA_LIKE = re.compile(r"[a-z_][a-z0-9_]{0,64}")  # valid, reserved and too long
ONE_IDENTIFIER = re.compile(r'"(?:[^"]|"")*"')


def unquote(quoted: str) -> str:
    return quoted[1:-1].replace('""', '"')


@FUZZ
@given(
    head=st.text(alphabet="abcxyz_019", max_size=10),
    injection=st.sampled_from(INJECTIONS),
    tail=st.text(max_size=10),
)
def test_a_name_carrying_sql_syntax_is_never_a_schema_name(head, injection, tail):
    name = head + injection + tail
    with pytest.raises(SchemaNameError) as caught:
        validate_schema_name(name)
    assert caught.value.name == name
    with pytest.raises(SchemaNameError):
        SchemaDescriptor(name)  # static tenants and descriptors obey the same rule
    assert not is_valid_schema_name(name)


NAME_LIKE = st.text(alphabet='aAbBzZ_09-. é"', max_size=70)  # near misses, mostly
SUGGESTED = re.compile(r"\(did you mean '([^']*)'\?\)$")


@FUZZ
@given(
    name=st.one_of(NAME_LIKE, st.text(max_size=70), st.from_regex(SCHEMA_LIKE, fullmatch=True)),
    reserved=st.lists(st.text(alphabet="abz_09", min_size=1, max_size=5), max_size=3),
    allow_public=st.booleans(),
)
def test_any_suggested_name_is_itself_valid(name, reserved, allow_public):
    try:
        validate_schema_name(name, reserved=reserved, allow_public=allow_public)
    except SchemaNameError as error:
        suggestion = error.suggestion
        shown = SUGGESTED.search(error.reason)
        assert (shown.group(1) if shown else None) == suggestion
        if suggestion is not None:
            assert suggestion != name
            rules = {"reserved": reserved, "allow_public": allow_public}
            assert validate_schema_name(suggestion, **rules) == suggestion


@FUZZ
@given(name=st.one_of(st.text(max_size=70), st.from_regex(SCHEMA_LIKE, fullmatch=True)))
def test_a_valid_schema_name_needs_no_escaping_to_be_one_identifier(name):
    if not is_valid_schema_name(name, allow_public=True):
        return
    assert quote_identifier(name) == f'"{name}"'
    assert SchemaDescriptor(name).schema_name == name


@FUZZ
@given(name=st.lists(st.sampled_from([*INJECTIONS, "a", "é", "Z"]), max_size=20).map("".join))
def test_quoting_any_text_yields_exactly_one_identifier_or_refuses(name):
    if name == "" or "\x00" in name or len(name.encode()) > 63:
        with pytest.raises(ValueError, match=r"empty|NUL|bytes long"):  # not kept intact
            quote_identifier(name)
        return
    quoted = quote_identifier(name)
    assert ONE_IDENTIFIER.fullmatch(quoted), quoted
    assert unquote(quoted) == name


# -- selectors ------------------------------------------------------------------------------

# Small alphabets, so that keys, hosts and prefixes of several tenants collide often.
KEYS = st.tuples(st.sampled_from("abcx"), st.text(alphabet="abcx0_", max_size=6)).map("".join)
LABELS = st.text(alphabet="abcx01", min_size=1, max_size=5)
HOSTS = st.lists(LABELS, min_size=1, max_size=3).map(".".join)
FOLDERS = LABELS
DOMAINS = st.tuples(HOSTS, st.one_of(st.none(), FOLDERS)).map(
    lambda pair: pair[0] if pair[1] is None else f"{pair[0]}/{pair[1]}"
)


@st.composite
def catalogs(draw: st.DrawFn) -> StaticCatalog:
    keys = draw(st.lists(KEYS, min_size=1, max_size=6, unique=True))
    entries = []
    for key in keys:
        kind = draw(st.sampled_from(TenantKind))
        domains = tuple(draw(st.lists(DOMAINS, max_size=3, unique=True)))
        entries.append(CatalogEntry(SchemaDescriptor(key), kind, key, domains))
    return StaticCatalog(tuple(entries))


def names(selector: str, entry: CatalogEntry) -> bool:
    """The selector rules, restated: key, domain/folder, host, or a non-empty host prefix."""
    if selector == entry.key:
        return True
    wanted = selector.lower().rstrip("/")
    if not wanted:
        return False
    if "/" in wanted:
        return wanted in entry.domains
    hosts = [domain.partition("/")[0] for domain in entry.domains]
    return any(host.startswith(wanted) for host in hosts)


@FUZZ
@given(catalog=catalogs(), data=st.data())
def test_every_key_selects_exactly_its_tenant(catalog, data):
    entry = data.draw(st.sampled_from(catalog.items))
    assert select_tenants([entry.key], catalog) == [entry]


@FUZZ
@given(catalog=catalogs(), data=st.data())
def test_a_domain_in_any_case_selects_its_tenant_or_is_ambiguous(catalog, data):
    with_domains = [entry for entry in catalog.items if entry.domains]
    if not with_domains:
        return
    entry = data.draw(st.sampled_from(with_domains))
    domain = data.draw(st.sampled_from(entry.domains))
    spelled = "".join(c.upper() if data.draw(st.booleans()) else c for c in domain)
    spelled += "/" * data.draw(st.integers(min_value=0, max_value=2))
    if spelled in {e.key for e in catalog.items}:
        return  # a key spelled like a domain: keys come first, tested above
    ambiguous: AmbiguousSelectorError | None = None
    try:
        selected = select_tenants([spelled], catalog)
    except AmbiguousSelectorError as error:
        ambiguous = error
    if ambiguous is not None:  # another tenant has the same host: both are named
        assert entry.key in ambiguous.candidates
        assert len(ambiguous.candidates) > 1
    else:
        assert selected == [entry]


SELECTORS = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="abcxyz019./:_- ", max_size=20),
    st.sampled_from([":all:", ":static:", ":dynamic:", ":", "::", "/", "//", " /", ":all"]),
)


@FUZZ
@given(catalog=catalogs(), selector=SELECTORS)
def test_any_selector_selects_only_what_it_names_or_fails_clearly(catalog, selector):
    refused: SelectorError | None = None
    try:
        selected = select_tenants([selector], catalog)
    except SelectorError as error:
        refused = error
    if refused is not None:
        assert refused.selector == selector
        assert str(refused)
        return
    if selector in {":all:", ":static:", ":dynamic:"}:
        kinds = {":all:": set(TenantKind), ":static:": {TenantKind.STATIC}}.get(
            selector, {TenantKind.DYNAMIC}
        )
        assert selected == [entry for entry in catalog.items if entry.kind in kinds]
        return
    assert len(selected) == 1  # anything else names exactly one tenant, or is an error
    assert names(selector, selected[0]), (selector, selected[0])
