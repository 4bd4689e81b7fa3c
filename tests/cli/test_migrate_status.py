"""``migrationstatus``: who is behind and on what, the clone reference on a row of its own."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}


def test_migration_status_shows_who_is_behind_and_on_what(make_fleet, fleet_migrate, capsys):
    make_fleet(3)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        fleet_migrate("cli_0")
        capsys.readouterr()
        call_command("migrationstatus", "-s", ":dynamic:", "--behind")
    out = capsys.readouterr().out
    assert "3 schema(s), 2 not up to date" in out
    assert "cli_0" not in out
    assert "cli_1: behind by 2 (pending: notes.0003_unique_title, notes.0004_note_pinned)" in out


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


def test_each_schema_shows_its_own_last_migrate_run(make_fleet, monkeypatch, capsys):
    from sandbox.notes.models import Note

    from tenantry import tenant_context
    from tenantry_cli import _outcome_log
    from tenantry_django.migration import Place

    monkeypatch.setattr(_outcome_log, "_READ_CHUNK", 2)  # 3 schemas: read in two queries
    tenants = make_fleet(3)
    with tenant_context(tenants[1]):  # duplicates: titles cannot become unique here
        Note.objects.create(title="twice")
        Note.objects.create(title="twice")
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        with pytest.raises(CommandError, match="cli_1"):  # the others still finish
            call_command("migrate", "--skip-public", "-s", ":dynamic:", "--executor", "parallel")
        capsys.readouterr()
        call_command("migrationstatus", "-s", ":dynamic:")
    lines = {line.split(":")[0]: line for line in capsys.readouterr().out.splitlines()}
    assert "| last run: ok " in lines["cli_0"]
    assert "| last run: failed " in lines["cli_1"]
    assert "IntegrityError" in lines["cli_1"]
    assert "| last run: ok " in lines["cli_2"]
    # equal outcomes (same status, batch time and error) are one object, not one per schema
    last = _outcome_log.last_outcomes([Place.of(t) for t in tenants])
    assert last[Place.of(tenants[0])] is last[Place.of(tenants[2])]
