"""``runschema -s ... migrate``: the fleet migrate over runschema's selection only."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

NOTES_MIGRATIONS = {("notes", "0001_initial"), ("notes", "0002_welcome_tag")}


def test_runschema_migrate_runs_the_fleet_migrate_on_the_selection_only(
    make_fleet, recorded, schema_present
):
    tenants = make_fleet(3, migrate=False)
    call_command("runschema", "-s", "cli_0", "cli_2", "--executor", "parallel", "migrate")
    assert recorded("cli_0") >= NOTES_MIGRATIONS
    assert recorded("cli_2") >= NOTES_MIGRATIONS
    assert not schema_present(tenants[1].schema_name)


def test_runschema_migrate_without_a_selection_and_noinput_runs_nothing(make_fleet, schema_present):
    tenants = make_fleet(1, migrate=False)
    with pytest.raises(CommandError, match="No schema given"):
        call_command("runschema", "--noinput", "migrate")
    assert not schema_present(tenants[0].schema_name)
