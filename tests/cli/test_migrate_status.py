"""``migrationstatus``: who is behind and on what, the clone reference on a row of its own."""

from __future__ import annotations

from django.core.management import call_command
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
