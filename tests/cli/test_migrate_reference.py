"""The clone reference under the fleet migrate: kept as current as the tenants when it exists,
never counted among them, never created by ``migrate``."""

from __future__ import annotations

from django.core.management import call_command
from django.test import override_settings

UNIQUE_TITLES = {"notes": "sandbox.notes.migrations_unique_titles"}
ALL_UNIQUE_TITLES = {
    ("notes", "0001_initial"),
    ("notes", "0002_welcome_tag"),
    ("notes", "0003_unique_title"),
    ("notes", "0004_note_pinned"),
}


def test_migrate_brings_the_clone_reference_up_to_date_without_counting_it(
    make_fleet, recorded, snapshot, capsys, reference_behind
):
    make_fleet(2)
    with override_settings(MIGRATION_MODULES=UNIQUE_TITLES):
        call_command("migrate", "--skip-public", "-s", ":dynamic:")
        out = capsys.readouterr().out
        assert recorded("sample") >= ALL_UNIQUE_TITLES
        assert snapshot("sample") == snapshot("cli_0")
    assert "Tenant schemas (2):" in out
    assert "Summary: 2 schema(s): 2 ok" in out
    assert "Clone reference:\n  sample (clone reference): ok (" in out
    assert "2 migrations applied" in out.partition("Clone reference:")[2]


def test_migrate_never_creates_the_clone_reference(
    make_fleet, fleet_migrate, schema_present, capsys
):
    make_fleet(1)
    fleet_migrate()
    call_command("migrationstatus", "-s", ":dynamic:")
    assert not schema_present("sample")
    assert "sample (clone reference): not created (manage.py createrefschema)" in (
        capsys.readouterr().out
    )
