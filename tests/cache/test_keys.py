"""Keys carry the active tenant's place; reverse_key undoes make_key."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tenantry import SchemaDescriptor, tenant_context
from tenantry_cache import make_key, reverse_key, tenant_key_place, tenant_key_prefix

schema_names = st.from_regex(r"[a-z_][a-z0-9_]{0,20}", fullmatch=True)
aliases = st.text(min_size=1, max_size=12)
keys = st.text(max_size=40)


def test_no_active_tenant_means_the_public_place():
    assert make_key("color", "site", 1) == "public:site:1:color"


def test_the_active_tenant_prefixes_every_key():
    with tenant_context(SchemaDescriptor("acme")):
        assert make_key("color", "site", 1) == "acme:site:1:color"
        with tenant_context(SchemaDescriptor("globex")):
            assert make_key("color", "site", 1) == "globex:site:1:color"
        assert make_key("color", "site", 2) == "acme:site:2:color"
    assert make_key("color", "site", 1) == "public:site:1:color"


def test_a_tenant_in_another_database_carries_its_alias():
    with tenant_context(SchemaDescriptor("acme", "shard2")):
        assert make_key("color", "", 1) == "shard2.acme::1:color"
    # The same schema name in the default database is another tenant, with other keys.
    with tenant_context(SchemaDescriptor("acme")):
        assert make_key("color", "", 1) == "acme::1:color"


def test_an_alias_with_separators_is_encoded():
    assert tenant_key_place(SchemaDescriptor("acme", "eu:west.1*")) == "eu%3Awest.1%2A.acme"


def test_reverse_key_gives_back_the_callers_key():
    with tenant_context(SchemaDescriptor("acme")):
        stored = make_key("views.decorators.cache:page:1", "site", 3)
    assert reverse_key(stored) == "views.decorators.cache:page:1"


def test_reverse_key_refuses_keys_it_did_not_make():
    with pytest.raises(ValueError, match=r"not made by tenantry_cache\.make_key"):
        reverse_key("plain-key")


prefixes = st.from_regex(r"[a-z.]{0,8}", fullmatch=True)


@given(schema_names, aliases, keys, prefixes, st.integers(0, 10**6))
def test_round_trip_and_prefix_belong_to_one_place(schema, alias, key, prefix, version):
    tenant = SchemaDescriptor(schema, alias)
    with tenant_context(tenant):
        stored = make_key(key, prefix, version)
    assert reverse_key(stored) == key
    assert stored.startswith(tenant_key_prefix(tenant, prefix))


@given(first=schema_names, second=schema_names, alias=aliases, key=keys)
def test_no_tenants_keys_start_with_another_tenants_prefix(first, second, alias, key):
    """What clearing one tenant relies on: its prefix matches none of another's keys."""
    assume(not (alias == "default" and first == second))  # then both are one tenant
    mine, theirs = SchemaDescriptor(first), SchemaDescriptor(second, alias)
    with tenant_context(theirs):
        stored = make_key(key, "site", 1)
    assert not stored.startswith(tenant_key_prefix(mine, "site"))
