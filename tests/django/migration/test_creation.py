"""New tenants' schemas: the first creation captures a recipe, later ones replay it, and the
result is what Django's executor makes, signals and RunPython included."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.db.models.signals import post_migrate, pre_migrate
from django.test import override_settings
from sandbox.customers.models import Tenant
from sandbox.notes.models import Tag

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.migration import (
    _creation,
    forget_creation_recipes,
    migrate_schema,
    project_migrations,
)
from tenantry_django.schemas import schema_exists
from tenantry_django.signals import tenant_created

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}
NOTES_TABLES = {"notes_note", "notes_note_tags", "notes_tag"}


@pytest.fixture(autouse=True)
def _no_kept_recipes() -> Iterator[None]:
    """Each test starts where a process starts: nothing captured yet (and leaves it so)."""
    forget_creation_recipes()
    yield
    forget_creation_recipes()


@pytest.fixture
def captures(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The schemas a creation migrated for real while capturing, in order."""
    captured: list[str] = []
    capture = _creation.migrate_capturing

    def counting(tenant: Any, **kwargs: Any) -> Any:
        captured.append(tenant.schema_name)
        return capture(tenant, **kwargs)

    monkeypatch.setattr(_creation, "migrate_capturing", counting)
    return captured


def new_tenant(prefix: str) -> Tenant:
    tenant = Tenant(schema_name=f"{prefix}_{uuid.uuid4().hex[:8]}")
    tenant.save()
    return tenant


def tables(schema: Any) -> set[str]:
    with tenant_context(schema), connections[schema.database].cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        return {name for (name,) in cursor.fetchall()}


def recorded(schema: Any) -> set[tuple[str, str]]:
    with tenant_context(schema), connections[schema.database].cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def test_a_replayed_tenant_is_what_djangos_executor_makes(
    db: None, captures: list[str], catalog: Any, bare_schema: Any
) -> None:
    first = new_tenant("captured")
    second = new_tenant("replayed")
    assert captures == [first.schema_name]  # the second one replayed the first one's recipe
    migrated = bare_schema()
    migrate_schema(migrated)  # Django's executor, as every creation did before recipes

    reference = catalog(migrated)
    assert all(reference[part] for part in ("relations", "constraints", "indexes", "sequences"))
    assert set(reference["migrations"]) == project_migrations()
    for schema in (first, second):
        assert catalog(schema) == reference
        with tenant_context(schema):  # the data migration (RunPython) ran here too
            assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]


def test_signals_are_sent_as_for_a_migrated_schema(db: None, bare_schema: Any) -> None:
    received: list[tuple[object, ...]] = []

    def receiver(signal_name: str) -> Any:
        def receive(sender: Any, using: str, plan: Any, **kwargs: Any) -> None:
            with connections[using].cursor() as cursor:  # where the receiver's queries go
                cursor.execute("SELECT current_schema()")
                (schema,) = cursor.fetchone()
            steps = tuple((m.app_label, m.name, backwards) for m, backwards in plan)
            received.append((signal_name, sender.label, using, steps, schema))

        return receive

    def migrated() -> SchemaDescriptor:
        schema = bare_schema()
        migrate_schema(schema)
        return schema

    def signals_sent(make: Any) -> list[tuple[object, ...]]:
        """What ``make()`` sent, the schema it ran in replaced by whether it was its own."""
        received.clear()
        schema = make()
        return [(*sent[:4], sent[4] == schema.schema_name) for sent in received]

    receivers = {pre_migrate: receiver("pre"), post_migrate: receiver("post")}
    for signal, receive in receivers.items():
        signal.connect(receive)
    try:
        executor = signals_sent(migrated)
        captured = signals_sent(lambda: new_tenant("captured"))
        replayed = signals_sent(lambda: new_tenant("replayed"))
    finally:
        for signal, receive in receivers.items():
            signal.disconnect(receive)
    assert {sent[0] for sent in executor} == {"pre", "post"}
    assert all(in_its_schema for *_, in_its_schema in executor)
    assert captured == executor
    assert replayed == executor


def test_a_failure_after_the_replay_leaves_neither_schema_nor_row(
    transactional_db: None, captures: list[str]
) -> None:
    class UndoError(Exception):
        pass

    with suppress(UndoError), transaction.atomic():  # a creation that captures, undone
        new_tenant("undone")
        raise UndoError
    assert len(captures) == 1

    def fail(sender: Any, tenant: Any, **kwargs: Any) -> None:
        raise RuntimeError(f"post-create step failed for {tenant.schema_name}")

    tenant_created.connect(fail)
    try:
        with pytest.raises(RuntimeError, match="post-create step failed for doomed"):
            Tenant(schema_name="doomed").save()  # its own transaction: no outer one here
    finally:
        tenant_created.disconnect(fail)
    assert len(captures) == 1  # it replayed
    assert not Tenant.objects.filter(schema_name="doomed").exists()
    assert not schema_exists("doomed", "default")


def test_other_tenant_apps_get_a_recipe_of_their_own(db: None, captures: list[str]) -> None:
    assert tables(new_tenant("notes")) >= NOTES_TABLES
    blog_tenants = {
        **settings.TENANTS,
        "default": {**settings.TENANTS["default"], "APPS": ["sandbox.blog"]},
    }
    with override_settings(TENANTS=blog_tenants):
        blog = tables(new_tenant("blog"))
    assert "blog_post" in blog
    assert not NOTES_TABLES & blog
    assert tables(new_tenant("notes_again")) >= NOTES_TABLES
    assert len(captures) == 3  # each settings change dropped the recipes


def test_another_migration_set_gets_a_recipe_of_its_own(db: None, captures: list[str]) -> None:
    before = new_tenant("two")
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        three = new_tenant("three")
    after = new_tenant("two_again")
    assert ("notes", "0003_unique_title") in recorded(three)
    assert ("notes", "0003_unique_title") not in recorded(before) | recorded(after)
    assert len(captures) == 3


class KeepNotesOut:
    """A router placed before tenantry's: the notes app migrates nowhere."""

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return False if app_label == "notes" else None


def test_other_routers_get_a_recipe_of_their_own(db: None, captures: list[str]) -> None:
    assert tables(new_tenant("routed")) >= NOTES_TABLES
    with override_settings(DATABASE_ROUTERS=[KeepNotesOut(), *settings.DATABASE_ROUTERS]):
        kept_out = new_tenant("kept_out")
        assert not NOTES_TABLES & tables(kept_out)
        assert recorded(kept_out) == project_migrations()  # recorded, as Django records them
    assert len(captures) == 2


def test_a_plan_with_a_non_atomic_migration_migrates_with_djangos_executor(
    db: None, captures: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    initial = importlib.import_module("sandbox.notes.migrations.0001_initial")
    monkeypatch.setattr(initial.Migration, "atomic", False)
    executor_runs: list[str] = []
    migrate = _creation.migrate_schema

    def counting(tenant: Any, **kwargs: Any) -> None:
        executor_runs.append(tenant.schema_name)
        migrate(tenant, **kwargs)

    monkeypatch.setattr(_creation, "migrate_schema", counting)

    created = [new_tenant("first"), new_tenant("second")]

    assert captures == [created[0].schema_name]  # tried once, refused before anything ran
    assert executor_runs == [tenant.schema_name for tenant in created]
    for tenant in created:
        assert tables(tenant) >= NOTES_TABLES
        assert recorded(tenant) == project_migrations()
        with tenant_context(tenant):
            assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]


def test_a_replay_records_its_migrations_at_its_own_time(db: None) -> None:
    first, second = new_tenant("earlier"), new_tenant("later")

    def applied(schema: SchemaDescriptor | Tenant) -> Any:
        with tenant_context(schema), connections["default"].cursor() as cursor:
            cursor.execute("SELECT min(applied), max(applied) FROM django_migrations")
            return cursor.fetchone()

    assert applied(second)[0] >= applied(first)[1]  # not copied from the captured schema
