"""Fleet states: which schemas exist and what each has recorded, read for many at once."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.test.utils import CaptureQueriesContext

from tenantry import tenant_context
from tenantry_django.migration import (
    Place,
    SchemaState,
    _state,
    is_migrated,
    migrate_schema,
    project_migrations,
    read_states,
)
from tenantry_django.schemas import create_schema


def test_a_state_says_whether_the_schema_exists_and_what_it_recorded(bare_schema) -> None:
    bare, migrated = bare_schema(), bare_schema()
    migrate_schema(migrated)
    missing = Place("default", "engine_no_such_schema")

    states = read_states([Place.of(bare), Place.of(migrated), missing])

    assert states[missing] == SchemaState(exists=False, applied=None)
    assert states[Place.of(bare)] == SchemaState(exists=True, applied=None)
    assert states[Place.of(migrated)] == SchemaState(exists=True, applied=project_migrations())


@pytest.mark.django_db(databases=["default", "other"])
def test_each_place_is_read_in_its_own_database() -> None:
    name = f"engine_{uuid.uuid4().hex[:10]}"
    create_schema(name, "other")

    states = read_states([Place("default", name), Place("other", name)])

    assert not states[Place("default", name)].exists
    assert states[Place("other", name)].exists


def test_many_schemas_take_one_query_per_chunk(bare_schema, monkeypatch) -> None:
    monkeypatch.setattr(_state, "_CHUNK", 2)
    schemas = [bare_schema() for _ in range(5)]
    for index, schema in enumerate(schemas):
        with tenant_context(schema):
            recorder = MigrationRecorder(connections[schema.database])
            recorder.ensure_schema()
            recorder.record_applied("notes", f"000{index}_own")

    with CaptureQueriesContext(connection) as captured:
        states = read_states(Place.of(schema) for schema in schemas)

    for index, schema in enumerate(schemas):
        assert states[Place.of(schema)].applied == {("notes", f"000{index}_own")}
    reads = [q for q in captured.captured_queries if '".django_migrations' in q["sql"]]
    assert len(reads) == 3  # 2 + 2 + 1 schemas


def test_up_to_date_means_every_project_migration_recorded() -> None:
    project = frozenset({("a", "1"), ("b", "1"), ("b", "2")})
    behind = SchemaState(exists=True, applied=frozenset({("b", "1"), ("x", "9")}))

    assert not behind.is_up_to_date(project)
    assert behind.lacking(project) == [("a", "1"), ("b", "2")]
    assert SchemaState(exists=True, applied=project | {("x", "9")}).is_up_to_date(project)
    never = SchemaState(exists=True, applied=None)
    assert not never.is_up_to_date(project)
    assert never.lacking(project) == sorted(project)


def test_is_migrated_reads_one_schema(bare_schema) -> None:
    schema = bare_schema()
    assert not is_migrated(schema)
    migrate_schema(schema)
    assert is_migrated(schema)


def test_schemas_in_one_state_share_it_not_a_copy_each(bare_schema, monkeypatch) -> None:
    # A fleet run keeps every schema's state for the whole run: 10,000 schemas in a few
    # states must hold a few sets, not 10,000 sets of fresh (app, name) strings.
    monkeypatch.setattr(_state, "_CHUNK", 2)  # equal states read by different queries too
    first, second, third = bare_schema(), bare_schema(), bare_schema()
    for schema in (first, second, third):
        migrate_schema(schema)

    states = read_states(Place.of(schema) for schema in (first, second, third))

    shared = states[Place.of(first)]
    assert shared.applied == project_migrations()
    assert states[Place.of(second)] is shared
    assert states[Place.of(third)] is shared
    project_keys = {key: key for key in project_migrations()}
    assert all(key is project_keys[key] for key in shared.applied)


def test_a_schema_whose_migrations_table_is_empty_has_recorded_nothing(bare_schema) -> None:
    empty, migrated = bare_schema(), bare_schema()
    migrate_schema(migrated)
    with tenant_context(empty):
        MigrationRecorder(connections[empty.database]).ensure_schema()

    states = read_states([Place.of(empty), Place.of(migrated)])

    assert states[Place.of(empty)] == SchemaState(exists=True, applied=frozenset())
    assert states[Place.of(migrated)].applied == project_migrations()


def test_the_same_migrations_recorded_in_another_order_are_one_state(bare_schema) -> None:
    forward, backward = bare_schema(), bare_schema()
    keys = [("notes", "0001_own"), ("notes", "0002_own"), ("other", "0001_own")]
    for schema, order in ((forward, keys), (backward, keys[::-1])):
        with tenant_context(schema):
            recorder = MigrationRecorder(connections[schema.database])
            recorder.ensure_schema()
            for app, name in order:
                recorder.record_applied(app, name)

    states = read_states([Place.of(forward), Place.of(backward)])

    assert states[Place.of(forward)].applied == frozenset(keys)
    assert states[Place.of(backward)] is states[Place.of(forward)]
