"""The fleet migrate: fresh, no-op, mixed states, failures, missing schemas, executors, and a
run killed with SIGKILL that converges when rerun. Every schema is compared with what
Django's own ``migrate`` builds."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from postgres_harness import AdminConnection, django_conninfo, quote_identifier
from sandbox.customers.models import Tenant

from tenantry import tenant_context
from tenantry_django.schemas import (
    create_clone_reference,
    create_schema,
    migrate_schema_with_command,
)

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}
NOTES_MIGRATIONS = {("notes", "0001_initial"), ("notes", "0002_welcome_tag")}
ALL_UNIQUE_TITLES = NOTES_MIGRATIONS | {
    ("notes", "0003_unique_title"),
    ("notes", "0004_note_pinned"),
}
SANDBOX = Path(__file__).resolve().parents[1] / "sandbox"


def fleet_migrate(*selectors: str, executor: str = "sequential", **options: object) -> None:
    call_command(
        "migrate",
        "-s",
        *(selectors or (":dynamic:",)),
        "--executor",
        executor,
        "--skip-public",
        verbosity=0,
        **options,
    )


def snapshot(admin: AdminConnection, schema: str) -> dict[str, object]:
    """What Django built in a schema, with the schema's name taken out."""

    def rows(query: str) -> list[tuple]:
        found = admin.execute(query, [schema]).fetchall()
        return sorted(
            tuple(str(v).replace(f'"{schema}".', "").replace(f"{schema}.", "") for v in row)
            for row in found
        )

    return {
        "columns": rows(
            "SELECT table_name, column_name, data_type, is_nullable, column_default "
            "FROM information_schema.columns WHERE table_schema = %s"
        ),
        "constraints": rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid) "
            "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
            "WHERE n.nspname = %s"
        ),
        "indexes": rows(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s"
        ),
        "migrations": recorded(admin, schema),
    }


def recorded(admin: AdminConnection, schema: str) -> set[tuple[str, str]] | None:
    exists = admin.execute(
        "SELECT to_regclass(format('%%I.django_migrations', %s::text)) IS NOT NULL", [schema]
    ).fetchone()[0]
    if not exists:
        return None
    query = f"SELECT app, name FROM {quote_identifier(schema)}.django_migrations"
    return set(admin.execute(query).fetchall())


def schema_exists(admin: AdminConnection, schema: str) -> bool:
    return bool(admin.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone())


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
def test_a_fresh_fleet_is_built_exactly_as_djangos_migrate_builds_it(make_fleet, admin, executor):
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        tenants = make_fleet(4, migrate=False)
        reference = reference_schema()
        assert not any(schema_exists(admin, t.schema_name) for t in tenants)
        fleet_migrate(*(t.schema_name for t in tenants), executor=executor)
        expected = snapshot(admin, reference.schema_name)
    assert expected["migrations"] >= ALL_UNIQUE_TITLES
    for tenant in tenants:
        assert snapshot(admin, tenant.schema_name) == expected, tenant.schema_name
        assert welcome_tags(tenant) == ["welcome"]  # the RunPython ran in every schema


def test_nothing_to_do_costs_the_same_few_queries_for_any_number_of_schemas(make_fleet):
    make_fleet(6)

    def queries_for(selectors: list[str]) -> int:
        with CaptureQueriesContext(connection) as captured:
            fleet_migrate(*selectors)
        return len(captured)

    few, many = queries_for(["cli_0", "cli_1"]), queries_for([":dynamic:"])
    assert few == many
    assert many <= 10  # selection, states, outcome log: never one per schema


def test_each_migration_state_is_planned_once_and_every_schema_converges(make_fleet, admin, capsys):
    tenants = make_fleet(5)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        with tenant_context(tenants[0]):  # one schema a step ahead of the others
            call_command(DjangoMigrateCommand(), "notes", "0003", verbosity=0)
        call_command("migrate", "--skip-public", "-s", ":dynamic:")
        out = capsys.readouterr().out
        for tenant in tenants:
            assert recorded(admin, tenant.schema_name) >= ALL_UNIQUE_TITLES
        assert snapshot(admin, "cli_0") == snapshot(admin, "cli_3")
    details = [line for line in out.splitlines() if line.startswith("  cli_")]
    assert len(details) == 5
    # Two states, so two schemas migrated for real; the other three replayed.
    assert sum("(replayed)" in line for line in details) == 3
    assert "1 migration applied" in next(line for line in details if "cli_0:" in line)


@pytest.mark.parametrize(
    ("executor", "after_failure"), [("sequential", "skipped"), ("parallel", "ok")]
)
def test_a_migration_failing_in_one_schema(make_fleet, admin, executor, after_failure):
    from sandbox.notes.models import Note

    tenants = make_fleet(3)
    with tenant_context(tenants[1]):  # duplicates: titles cannot become unique here
        Note.objects.create(title="twice")
        Note.objects.create(title="twice")
    before = snapshot(admin, "cli_1")
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        with pytest.raises(CommandError, match="cli_1"):
            call_command("migrate", "--skip-public", "-s", ":dynamic:", "--executor", executor)
        assert snapshot(admin, "cli_1") == before  # exactly as it was
        assert recorded(admin, "cli_0") >= ALL_UNIQUE_TITLES
        if after_failure == "ok":  # parallel: the others finish
            assert recorded(admin, "cli_2") >= ALL_UNIQUE_TITLES
        else:  # sequential: stopped at cli_1, cli_2 untouched
            assert recorded(admin, "cli_2") >= NOTES_MIGRATIONS
            assert ("notes", "0003_unique_title") not in recorded(admin, "cli_2")

        from tenantry_cli.models import SchemaMigrationOutcome

        failed = SchemaMigrationOutcome.objects.get(schema_name="cli_1")
        assert failed.status == "failed"
        assert "IntegrityError" in failed.error
        assert "twice" in failed.error

        with tenant_context(tenants[1]):  # fix the data, run again
            Note.objects.filter(title="twice").first().delete()
        fleet_migrate(executor=executor)
        for tenant in tenants:
            assert recorded(admin, tenant.schema_name) >= ALL_UNIQUE_TITLES


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


def test_missing_schemas_are_created_unless_told_not_to(make_fleet, admin):
    tenants = make_fleet(2, migrate=False)
    with pytest.raises(CommandError, match="cli_0, cli_1"):
        call_command(
            "migrate",
            *("--skip-public", "-s", ":dynamic:", "--no-create-schemas"),
            *("--executor", "parallel"),
            verbosity=0,
        )
    assert not any(schema_exists(admin, t.schema_name) for t in tenants)
    fleet_migrate()
    assert all(recorded(admin, t.schema_name) >= NOTES_MIGRATIONS for t in tenants)


def test_migration_status_shows_who_is_behind_and_on_what(make_fleet, capsys):
    make_fleet(3)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        fleet_migrate("cli_0")
        capsys.readouterr()
        call_command("migrationstatus", "-s", ":dynamic:", "--behind")
    out = capsys.readouterr().out
    assert "3 schema(s), 2 not up to date" in out
    assert "cli_0" not in out
    assert "cli_1: behind by 2 (pending: notes.0003_unique_title, notes.0004_note_pinned)" in out


@pytest.fixture
def reference_behind(admin: AdminConnection) -> Iterator[str]:
    """The clone reference ``sample``, committed at the sandbox's own migrations: behind by
    two under UNIQUE_TITLES. Dropped afterwards."""
    create_clone_reference()
    yield "sample"
    admin.execute("DROP SCHEMA IF EXISTS sample CASCADE")


def test_migrate_brings_the_clone_reference_up_to_date_without_counting_it(
    make_fleet, admin, capsys, reference_behind
):
    make_fleet(2)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        call_command("migrate", "--skip-public", "-s", ":dynamic:")
        out = capsys.readouterr().out
        assert recorded(admin, "sample") >= ALL_UNIQUE_TITLES
        assert snapshot(admin, "sample") == snapshot(admin, "cli_0")
    assert "Tenant schemas (2):" in out
    assert "Summary: 2 schema(s): 2 ok" in out
    assert "Clone reference:\n  sample (clone reference): ok (" in out
    assert "2 migrations applied" in out.partition("Clone reference:")[2]


def test_migrate_never_creates_the_clone_reference(make_fleet, admin, capsys):
    make_fleet(1)
    fleet_migrate()
    call_command("migrationstatus", "-s", ":dynamic:")
    assert not schema_exists(admin, "sample")
    assert "sample (clone reference): not created (manage.py createrefschema)" in (
        capsys.readouterr().out
    )


def test_migration_status_shows_the_clone_reference_on_its_own_row(
    make_fleet, capsys, reference_behind
):
    make_fleet(2)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        call_command("migrationstatus", "-s", ":dynamic:", "--behind")
    out = capsys.readouterr().out
    assert "2 schema(s), 2 not up to date" in out  # tenants only
    assert (
        "sample (clone reference): behind by 2 "
        "(pending: notes.0003_unique_title, notes.0004_note_pinned)"
    ) in out
    call_command("migrationstatus", "-s", "cli_0")
    assert "sample (clone reference): up to date" in capsys.readouterr().out


def _sandbox_env() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sandbox.settings",
        # The sandbox settings read any libpq connection string, URL or key=value.
        "TENANTRY_SANDBOX_DATABASE_URL": django_conninfo(connection.settings_dict),
    }


def test_a_run_killed_mid_way_converges_when_run_again(make_fleet, admin):
    tenants = make_fleet(60, prefix="killed", migrate=False)
    command = [
        sys.executable,
        str(SANDBOX / "manage.py"),
        "migrate",
        "--skip-public",
        "-s",
        ":dynamic:",
        "--noinput",
    ]
    run = subprocess.Popen(
        command, env=_sandbox_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    migrated = 0
    deadline = time.monotonic() + 120
    while migrated < 5 and run.poll() is None and time.monotonic() < deadline:
        migrated = admin.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND n.nspname LIKE 'killed%%'"
        ).fetchone()[0]
        time.sleep(0.01)
    run.send_signal(signal.SIGKILL)
    _, errors = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL, errors.decode()[-2000:]
    states = [recorded(admin, t.schema_name) for t in tenants]
    done = [s for s in states if s is not None]
    assert 0 < len(done) < len(tenants)  # killed mid-way...
    assert all(s >= NOTES_MIGRATIONS for s in done)  # ...yet no schema half-migrated

    rerun = subprocess.run(command, env=_sandbox_env(), capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    expected = snapshot(admin, tenants[0].schema_name)
    for tenant in tenants:
        assert snapshot(admin, tenant.schema_name) == expected
        assert welcome_tags(tenant) == ["welcome"]


def test_runschema_migrate_runs_the_fleet_migrate_on_the_selection_only(make_fleet, admin):
    tenants = make_fleet(3, migrate=False)
    call_command("runschema", "-s", "cli_0", "cli_2", "--executor", "parallel", "migrate")
    assert recorded(admin, "cli_0") >= NOTES_MIGRATIONS
    assert recorded(admin, "cli_2") >= NOTES_MIGRATIONS
    assert not schema_exists(admin, tenants[1].schema_name)


def test_runschema_migrate_without_a_selection_and_noinput_runs_nothing(make_fleet, admin):
    tenants = make_fleet(1, migrate=False)
    with pytest.raises(CommandError, match="No schema given"):
        call_command("runschema", "--noinput", "migrate")
    assert not schema_exists(admin, tenants[0].schema_name)
