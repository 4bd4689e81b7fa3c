from __future__ import annotations

import dataclasses

import pytest

from tenantry import SchemaDescriptor, SchemaNameError, Tenant, describe


def test_descriptor_defaults_to_the_default_database():
    descriptor = SchemaDescriptor("www", domain="localhost")
    assert descriptor.database == "default"
    assert isinstance(descriptor, Tenant)
    assert not descriptor.is_public
    assert SchemaDescriptor("public").is_public


def test_descriptors_are_values():
    assert SchemaDescriptor("a", "db2") == SchemaDescriptor("a", "db2")
    assert len({SchemaDescriptor("a"), SchemaDescriptor("a"), SchemaDescriptor("b")}) == 2
    with pytest.raises(dataclasses.FrozenInstanceError):
        SchemaDescriptor("a").schema_name = "b"  # type: ignore[misc]


def test_descriptor_rejects_invalid_schema_names():
    with pytest.raises(SchemaNameError, match="must be lowercase"):
        SchemaDescriptor("WWW")


def test_descriptor_rejects_empty_database_alias():
    with pytest.raises(ValueError, match="database alias must be a non-empty string"):
        SchemaDescriptor("www", database="")


def test_describe_names_the_database_only_when_not_default():
    assert describe(SchemaDescriptor("www")) == "www"
    assert describe(SchemaDescriptor("acme", "shard_2")) == "shard_2:acme"
