"""``Place``: the one key a schema is known by in a migration run."""

from __future__ import annotations

import pickle

from tenantry import SchemaDescriptor, Tenant, get_current_tenant, tenant_context
from tenantry_django.migration import Place


def test_a_row_a_descriptor_and_a_place_of_one_schema_are_one_key() -> None:
    class Row:  # what a tenant model row offers
        schema_name = "acme"
        database = "default"

    places = {Place.of(Row()), Place.of(SchemaDescriptor("acme", domain="acme.test"))}
    assert places == {Place("default", "acme")}


def test_labels_are_for_display_and_name_the_database_when_not_the_default() -> None:
    assert Place("default", "acme").label == "acme"
    assert Place("other", "acme").label == "other:acme"


def test_a_place_is_a_tenant_that_can_be_activated() -> None:
    place = Place("default", "acme")
    assert isinstance(place, Tenant)
    with tenant_context(place):
        assert get_current_tenant() == place


def test_places_sort_by_database_then_schema_and_survive_pickling() -> None:
    places = [Place("other", "a"), Place("default", "b"), Place("default", "a")]
    assert sorted(places) == [Place("default", "a"), Place("default", "b"), Place("other", "a")]
    assert pickle.loads(pickle.dumps(places)) == places  # outcomes cross process boundaries
