"""Recipes: a schema migrated while its work is written down, replayed into another."""

from __future__ import annotations

import importlib

import pytest
from django.db import migrations, models
from sandbox.notes.models import Tag

from tenantry import tenant_context
from tenantry_django.migration import Place, project_migrations, read_states
from tenantry_django.migration._recipe import (
    PythonStep,
    RecipeUnsupportedError,
    SqlStep,
    migrate_capturing,
    needs_python,
)
from tenantry_django.migration._replay import replay


def test_a_replayed_recipe_builds_what_the_representative_got(bare_schema, structure) -> None:
    first, second = bare_schema(), bare_schema()
    with tenant_context(first):
        recipe = migrate_capturing(first)
    with tenant_context(second):
        replay(second, recipe)

    assert structure(second) == structure(first)
    assert structure(first)  # the comparison compares something
    states = read_states([Place.of(first), Place.of(second)])
    assert states[Place.of(first)].applied == states[Place.of(second)].applied
    assert states[Place.of(second)].applied == project_migrations()
    with tenant_context(second):  # the RunPython ran here too
        assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]


def test_a_recipe_holds_sql_without_the_schema_name_and_python_steps_apart(bare_schema) -> None:
    schema = bare_schema()
    with tenant_context(schema):
        recipe = migrate_capturing(schema)

    sql = [step.text for step in recipe.steps if isinstance(step, SqlStep)]
    python = [step for step in recipe.steps if isinstance(step, PythonStep)]
    assert any("CREATE TABLE" in text for text in sql)
    assert not any(schema.schema_name in text for text in sql)  # replayable anywhere
    assert [(step.app_label, type(step.operation)) for step in python] == [
        ("notes", migrations.RunPython)
    ]
    assert set(recipe.recorded) == project_migrations()  # kept-out apps' too
    assert recipe.migrations == len(project_migrations())


def test_a_plan_with_a_non_atomic_migration_is_refused_before_anything_runs(
    bare_schema, monkeypatch
) -> None:
    initial = importlib.import_module("sandbox.notes.migrations.0001_initial")
    monkeypatch.setattr(initial.Migration, "atomic", False)
    schema = bare_schema()

    with tenant_context(schema), pytest.raises(RecipeUnsupportedError):
        migrate_capturing(schema)

    assert read_states([Place.of(schema)])[Place.of(schema)].applied is None


def test_operations_that_need_python_in_every_schema() -> None:
    def noop(apps: object, schema_editor: object) -> None: ...

    create = migrations.CreateModel("Thing", [("id", models.AutoField(primary_key=True))])
    assert needs_python(migrations.RunPython(noop))
    assert needs_python(
        migrations.SeparateDatabaseAndState(database_operations=[migrations.RunPython(noop)])
    )
    assert not needs_python(migrations.SeparateDatabaseAndState(database_operations=[create]))
    assert not needs_python(create)
    assert not needs_python(migrations.RunSQL("SELECT 1"))
