"""``tenant_group_name``: group names of one tenant never meet another tenant's, and Channels
accepts every one of them."""

from __future__ import annotations

import string

import pytest
from channels.layers import InMemoryChannelLayer
from hypothesis import given
from hypothesis import strategies as st

from tenantry import SchemaDescriptor, tenant_context
from tenantry_channels import tenant_group_name

ALPHA = SchemaDescriptor("alpha")


def is_valid(group: str) -> bool:
    """Channels' own check, the one ``group_add`` and ``group_send`` make."""
    return bool(InMemoryChannelLayer().require_valid_group_name(group))


def test_the_name_is_readable_with_database_and_schema():
    assert tenant_group_name("chat", ALPHA) == "tenantry.default.alpha.chat"


def test_the_active_tenant_is_the_default():
    with tenant_context(ALPHA):
        assert tenant_group_name("chat") == tenant_group_name("chat", ALPHA)
    with tenant_context(SchemaDescriptor("beta")):
        assert tenant_group_name("chat", ALPHA) == "tenantry.default.alpha.chat"


def test_two_tenants_with_one_group_name_get_two_groups():
    assert tenant_group_name("chat", ALPHA) != tenant_group_name("chat", SchemaDescriptor("beta"))


def test_one_schema_name_in_two_databases_gets_two_groups():
    other = SchemaDescriptor("alpha", database="other")
    assert tenant_group_name("chat", ALPHA) != tenant_group_name("chat", other)


def test_without_a_tenant_it_is_an_error_not_a_shared_group():
    with pytest.raises(RuntimeError, match=r"tenant_group_name\('chat'\) needs a tenant"):
        tenant_group_name("chat")


def test_an_empty_name_is_an_error():
    with pytest.raises(ValueError, match="cannot be empty"):
        tenant_group_name("", ALPHA)


@pytest.mark.parametrize(
    ("name", "database"),
    [
        ("x" * 90, "default"),  # too long written out
        ("room: général", "default"),  # characters Channels refuses
        ("chat", "replica/eu"),  # an alias Channels refuses
        ("chat", "eu.replica"),  # a period in the alias would make names ambiguous
    ],
)
def test_names_that_cannot_be_written_out_are_hashed(name, database):
    tenant = SchemaDescriptor("alpha", database=database)
    group = tenant_group_name(name, tenant)
    assert is_valid(group)
    assert group.startswith("tenantry.")
    assert len(group.split(".")) == 2
    assert tenant_group_name(name, tenant) == group  # the same in every process
    assert tenant_group_name(name, SchemaDescriptor("beta", database=database)) != group


def test_periods_in_names_never_make_two_places_meet():
    # Written out, these would all read "tenantry.eu.alpha.x.chat".
    groups = {
        tenant_group_name("x.chat", SchemaDescriptor("alpha", database="eu")),
        tenant_group_name("chat", SchemaDescriptor("x", database="eu.alpha")),
        tenant_group_name("alpha.x.chat", SchemaDescriptor("eu")),
    }
    assert len(groups) == 3


aliases = st.text(string.ascii_letters + string.digits + "-_./ ", min_size=1, max_size=30)
schemas = st.from_regex(r"[a-z_][a-z0-9_]{0,62}", fullmatch=True).filter(
    lambda name: not name.startswith("pg_") and name not in ("public", "information_schema")
)
names = st.text(min_size=1, max_size=120)


@given(aliases, schemas, names)
def test_every_name_is_a_valid_channels_group(database, schema, name):
    assert is_valid(tenant_group_name(name, SchemaDescriptor(schema, database)))


@given(st.tuples(aliases, schemas, names), st.tuples(aliases, schemas, names))
def test_different_places_or_names_never_share_a_group(first, second):
    def group(place: tuple[str, str, str]) -> str:
        database, schema, name = place
        return tenant_group_name(name, SchemaDescriptor(schema, database))

    assert (group(first) == group(second)) == (first == second)
