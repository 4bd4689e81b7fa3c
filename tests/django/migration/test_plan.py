"""The plan: the project's migrations, and what a schema lacks of them."""

from __future__ import annotations

from django.test import override_settings

from tenantry import tenant_context
from tenantry_django.migration import migrate_schema, project_migrations
from tenantry_django.migration._plan import plan_active_schema

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}


def test_the_project_migrations_are_every_apps_and_follow_migration_modules(db) -> None:
    project = project_migrations()
    assert project is project_migrations()  # computed once per settings
    assert ("auth", "0001_initial") in project  # kept out of tenant schemas, yet the project's
    assert ("notes", "0002_welcome_tag") in project
    assert ("notes", "0003_unique_title") not in project
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        assert ("notes", "0003_unique_title") in project_migrations()
    assert project_migrations() == project


def test_a_bare_schema_is_planned_every_migration_forward(bare_schema) -> None:
    schema = bare_schema()
    with tenant_context(schema):
        plan = plan_active_schema(schema.database)
    assert not any(backwards for _, backwards in plan.steps)
    assert {(m.app_label, m.name) for m, _ in plan.steps} == project_migrations()


def test_the_router_keeps_the_public_apps_out_of_a_tenant_schema(bare_schema) -> None:
    schema = bare_schema()
    with tenant_context(schema):  # the router asks about the active schema
        plan = plan_active_schema(schema.database)
        kept_out = {m.app_label for m, _ in plan.steps if plan.kept_out(m)}
    assert {"auth", "contenttypes", "customers"} <= kept_out
    assert "notes" not in kept_out


def test_an_up_to_date_schema_has_nothing_planned(bare_schema) -> None:
    schema = bare_schema()
    migrate_schema(schema)
    with tenant_context(schema):
        assert plan_active_schema(schema.database).steps == []
