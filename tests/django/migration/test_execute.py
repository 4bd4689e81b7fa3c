"""One schema migrated with Django's executor, and the signals around it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate, pre_migrate

from tenantry import SchemaDescriptor
from tenantry_django.migration import (
    Place,
    ensure_schema_migrated,
    is_migrated,
    migrate_schema,
    project_migrations,
    read_states,
)
from tenantry_django.migration._signals import migrate_signals
from tenantry_django.schemas import schema_exists


@pytest.fixture
def signals_sent() -> Iterator[list[tuple[str, int]]]:
    """(signal, steps in its plan) for every pre_migrate and post_migrate sent meanwhile
    (Django sends each once per app: counted for ``notes``)."""
    sent: list[tuple[str, int]] = []

    def pre(plan: list[object], **kwargs: object) -> None:
        sent.append(("pre", len(plan)))

    def post(plan: list[object], **kwargs: object) -> None:
        sent.append(("post", len(plan)))

    notes = apps.get_app_config("notes")
    pre_migrate.connect(pre, sender=notes, dispatch_uid="engine-test-pre")
    post_migrate.connect(post, sender=notes, dispatch_uid="engine-test-post")
    yield sent
    pre_migrate.disconnect(sender=notes, dispatch_uid="engine-test-pre")
    post_migrate.disconnect(sender=notes, dispatch_uid="engine-test-post")


def tables(schema: SchemaDescriptor) -> set[str]:
    """The tables in ``schema`` itself (not those found through the search path)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema.schema_name],
        )
        return {name for (name,) in cursor.fetchall()}


def test_migrations_kept_out_of_a_schema_are_recorded_not_run(bare_schema, signals_sent) -> None:
    schema = bare_schema()
    migrate_schema(schema)

    assert read_states([Place.of(schema)])[Place.of(schema)].applied == project_migrations()
    in_schema = tables(schema)
    assert {"notes_note", "django_migrations"} <= in_schema
    assert "auth_user" not in in_schema
    steps = len(project_migrations())
    assert signals_sent == [("pre", steps), ("post", steps)]


def test_an_up_to_date_schema_costs_no_run_when_told(bare_schema, signals_sent) -> None:
    schema = bare_schema()
    migrate_schema(schema)
    signals_sent.clear()

    migrate_schema(schema, skip_if_current=True)
    migrate_schema(schema)  # planned, found empty

    assert signals_sent == []


def test_ensure_creates_the_schema_once_and_keeps_it_current(db, signals_sent) -> None:
    schema = SchemaDescriptor(f"engine_{uuid.uuid4().hex[:10]}")

    ensure_schema_migrated(schema)
    assert schema_exists(schema.schema_name, schema.database)
    assert is_migrated(schema)
    sent = len(signals_sent)
    ensure_schema_migrated(schema)
    assert len(signals_sent) == sent  # nothing to do


def test_post_migrate_is_not_sent_when_the_migration_fails(signals_sent, db) -> None:
    with pytest.raises(RuntimeError), migrate_signals("default", []):
        raise RuntimeError("broken migration")

    assert signals_sent == [("pre", 0)]
