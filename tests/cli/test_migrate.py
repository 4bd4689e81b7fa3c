"""The fleet migrate: fresh, no-op, mixed states, failures, missing schemas, executors. Every
schema is compared with what Django's own ``migrate`` builds."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from sandbox.customers.models import Tenant

from tenantry import tenant_context
from tenantry_django.migration import migrate_schema_with_command
from tenantry_django.schemas import create_schema

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}
NOTES_MIGRATIONS = {("notes", "0001_initial"), ("notes", "0002_welcome_tag")}
ALL_UNIQUE_TITLES = NOTES_MIGRATIONS | {
    ("notes", "0003_unique_title"),
    ("notes", "0004_note_pinned"),
}


def reference_schema(name: str = "cli_reference") -> Tenant:
    """A tenant whose schema Django's own migrate command built: the expected result."""
    tenant = Tenant.objects.bulk_create([Tenant(schema_name=name)])[0]
    create_schema(name, tenant.database)
    migrate_schema_with_command(tenant)
    return tenant


def welcome_tags(tenant: Tenant) -> list[str]:
    from sandbox.notes.models import Tag

    with tenant_context(tenant):
        return list(Tag.objects.values_list("name", flat=True))


@pytest.mark.parametrize("executor", ["sequential", "parallel", "processes"])
def test_a_fresh_fleet_is_built_exactly_as_djangos_migrate_builds_it(
    make_fleet, fleet_migrate, snapshot, schema_present, executor
):
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        tenants = make_fleet(4, migrate=False)
        reference = reference_schema()
        assert not any(schema_present(t.schema_name) for t in tenants)
        fleet_migrate(*(t.schema_name for t in tenants), executor=executor)
        expected = snapshot(reference.schema_name)
    assert expected["migrations"] >= ALL_UNIQUE_TITLES
    for tenant in tenants:
        assert snapshot(tenant.schema_name) == expected, tenant.schema_name
        assert welcome_tags(tenant) == ["welcome"]  # the RunPython ran in every schema


def test_nothing_to_do_costs_the_same_few_queries_for_any_number_of_schemas(
    make_fleet, fleet_migrate
):
    make_fleet(6)

    def queries_for(selectors: list[str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            fleet_migrate(*selectors)
        return len(captured)

    few, many = queries_for(["cli_0", "cli_1"]), queries_for([":dynamic:"])
    assert few == many
    assert many <= 10  # selection, states, outcome log: never one per schema


def test_each_migration_state_is_planned_once_and_every_schema_converges(
    make_fleet, recorded, snapshot, capsys
):
    tenants = make_fleet(5)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        with tenant_context(tenants[0]):  # one schema a step ahead of the others
            call_command(DjangoMigrateCommand(), "notes", "0003", verbosity=0)
        call_command("migrate", "--skip-public", "-s", ":dynamic:")
        out = capsys.readouterr().out
        for tenant in tenants:
            assert recorded(tenant.schema_name) >= ALL_UNIQUE_TITLES
        assert snapshot("cli_0") == snapshot("cli_3")
    details = [line for line in out.splitlines() if line.startswith("  cli_")]
    assert len(details) == 5
    # Two states, so two schemas migrated for real; the other three replayed.
    assert sum("(replayed)" in line for line in details) == 3
    assert "1 migration applied" in next(line for line in details if "cli_0:" in line)


@pytest.mark.parametrize(
    ("executor", "after_failure"), [("sequential", "skipped"), ("parallel", "ok")]
)
def test_a_migration_failing_in_one_schema(
    make_fleet, fleet_migrate, recorded, snapshot, executor, after_failure
):
    from sandbox.notes.models import Note

    tenants = make_fleet(3)
    with tenant_context(tenants[1]):  # duplicates: titles cannot become unique here
        Note.objects.create(title="twice")
        Note.objects.create(title="twice")
    before = snapshot("cli_1")
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        with pytest.raises(CommandError, match="cli_1"):
            call_command("migrate", "--skip-public", "-s", ":dynamic:", "--executor", executor)
        assert snapshot("cli_1") == before  # exactly as it was
        assert recorded("cli_0") >= ALL_UNIQUE_TITLES
        if after_failure == "ok":  # parallel: the others finish
            assert recorded("cli_2") >= ALL_UNIQUE_TITLES
        else:  # sequential: stopped at cli_1, cli_2 untouched
            assert recorded("cli_2") >= NOTES_MIGRATIONS
            assert ("notes", "0003_unique_title") not in recorded("cli_2")

        from tenantry_cli.models import SchemaMigrationOutcome

        failed = SchemaMigrationOutcome.objects.get(schema_name="cli_1")
        assert failed.status == "failed"
        assert "IntegrityError" in failed.error
        assert "twice" in failed.error

        with tenant_context(tenants[1]):  # fix the data, run again
            Note.objects.filter(title="twice").first().delete()
        fleet_migrate(executor=executor)
        for tenant in tenants:
            assert recorded(tenant.schema_name) >= ALL_UNIQUE_TITLES


def test_the_summary_names_the_failed_schema_and_the_error(make_fleet, capsys):
    from sandbox.notes.models import Note

    tenants = make_fleet(2)
    with tenant_context(tenants[0]):
        Note.objects.create(title="twice")
        Note.objects.create(title="twice")
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES), pytest.raises(CommandError):
        call_command("migrate", "--skip-public", "-s", ":dynamic:", "--executor", "parallel")
    out = capsys.readouterr().out
    assert "1 ok, 1 failed" in out
    failure = next(line for line in out.splitlines() if line.startswith("  cli_0:"))
    assert "failed" in failure
    assert "IntegrityError" in failure
    assert "twice" in failure


def test_missing_schemas_are_created_unless_told_not_to(
    make_fleet, fleet_migrate, recorded, schema_present
):
    tenants = make_fleet(2, migrate=False)
    with pytest.raises(CommandError, match="cli_0, cli_1"):
        call_command(
            "migrate",
            *("--skip-public", "-s", ":dynamic:", "--no-create-schemas"),
            *("--executor", "parallel"),
            verbosity=0,
        )
    assert not any(schema_present(t.schema_name) for t in tenants)
    fleet_migrate()
    assert all(recorded(t.schema_name) >= NOTES_MIGRATIONS for t in tenants)


def test_the_summary_counts_applied_and_only_recorded_migrations_apart(make_fleet, capsys):
    """A new schema runs the notes migrations; every other app's are recorded only (the
    router keeps those apps out of tenant schemas): "2 applied", not the whole plan."""
    from tenantry_django.migration import project_migrations

    make_fleet(3, "counted", migrate=False)
    recorded_only = len(project_migrations()) - len(NOTES_MIGRATIONS)
    assert recorded_only > 0

    call_command("migrate", "--skip-public", "-s", ":dynamic:")

    details = [line for line in capsys.readouterr().out.splitlines() if "  counted_" in line]
    assert len(details) == 3
    for line in details:
        assert (
            f"schema created; 2 migrations applied{{}}, {recorded_only} recorded only "
            "(apps not in this schema)"
        ).format(" (replayed)" if "(replayed)" in line else "") in line, line
    assert sum("(replayed)" in line for line in details) == 2  # one migrated for real


def test_schemas_that_migrated_alike_share_one_outcome_text(make_fleet) -> None:
    from tenantry_cli._fleet import migrate_fleet

    tenants = make_fleet(4)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        outcomes = migrate_fleet(tenants, executor="parallel")

    details = [outcome.detail for outcome in outcomes]
    assert details[1] == "2 migrations applied (replayed)"
    # kept for the whole run: 10,000 members replayed alike hold one text, not one each
    assert details[1] is details[2] is details[3]
