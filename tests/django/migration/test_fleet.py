"""The fleet plan: schemas sorted by state, a representative's recipe replayed by the rest."""

from __future__ import annotations

import uuid

import pytest

from tenantry import SchemaDescriptor
from tenantry_django.migration import (
    FleetMigration,
    MissingSchemaError,
    SchemaMigrated,
    _fleet,
    is_migrated,
    migrate_schema,
    project_migrations,
)
from tenantry_django.schemas import schema_exists


def test_schemas_are_sorted_by_state(bare_schema) -> None:
    current, first, second = bare_schema(), bare_schema(), bare_schema()
    migrate_schema(current)
    missing = SchemaDescriptor(f"engine_{uuid.uuid4().hex[:10]}")

    fleet = FleetMigration([first, current, missing, second])

    assert fleet.up_to_date == [current]
    assert fleet.groups == [[first, second], [missing]]
    assert fleet.members() == []  # no recipe yet


def test_members_replay_what_their_representative_took(bare_schema) -> None:
    representative, *members = bare_schema(), bare_schema(), bare_schema()
    fleet = FleetMigration([representative, *members])
    migrations = len(project_migrations())

    # The sandbox's tenant apps have two migrations; the rest of the plan is only recorded.
    assert fleet.migrate_representative(representative, members) == SchemaMigrated(
        created=False, migrations=2, recorded=migrations - 2
    )
    assert fleet.members() == members
    for member in members:
        assert fleet.migrate_member(member) == SchemaMigrated(
            created=False, migrations=2, recorded=migrations - 2, replayed=True
        )
        assert is_migrated(member)
    assert fleet.members() == []  # nothing kept for schemas done


def test_a_member_whose_replay_fails_migrates_one_by_one(bare_schema, monkeypatch) -> None:
    representative, member = bare_schema(), bare_schema()
    fleet = FleetMigration([representative, member])
    fleet.migrate_representative(representative, [member])

    def broken_replay(*args: object, **kwargs: object) -> None:
        raise RuntimeError("differs from its representative")

    monkeypatch.setattr(_fleet, "replay", broken_replay)
    result = fleet.migrate_member(member)

    assert result.replay_failure == "RuntimeError"
    assert not result.replayed
    assert is_migrated(member)


def test_a_missing_schema_is_created_in_its_migration_or_refused(db) -> None:
    missing = SchemaDescriptor(f"engine_{uuid.uuid4().hex[:10]}")

    with pytest.raises(MissingSchemaError, match="not created"):
        FleetMigration([missing], create_schemas=False).migrate_representative(missing, [])
    assert not schema_exists(missing.schema_name, missing.database)

    result = FleetMigration([missing]).migrate_representative(missing, [])
    assert result.created
    assert is_migrated(missing)
