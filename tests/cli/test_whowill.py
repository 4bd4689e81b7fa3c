"""``whowill``: what a selection means, one line per tenant, without changing anything."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from postgres_harness import AdminConnection

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "other"])


def whowill(*args: str) -> list[list[str]]:
    """The rows printed, header first, split into their columns."""
    stdout = io.StringIO()
    call_command("whowill", *args, stdout=stdout, stderr=io.StringIO())
    return [line.split("  ") for line in stdout.getvalue().splitlines()]


def columns(row: list[str]) -> list[str]:
    return [cell.strip() for cell in row if cell.strip()]


def schema_exists(admin: AdminConnection, schema: str) -> bool:
    row = admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    return bool(row and row[0])


def test_one_line_per_tenant_with_kind_place_domains_and_existence(
    make_fleet: Callable[..., list], admin: AdminConnection
) -> None:
    make_fleet(1)
    make_fleet(1, "bare", migrate=False)

    rows = whowill("-s", ":all:")

    assert columns(rows[0]) == ["KIND", "SCHEMA", "DATABASE", "SCHEMA EXISTS", "DOMAINS"]
    assert [columns(row) for row in rows[1:]] == [
        ["static", "public", "default", "yes", "-"],
        [
            "static",
            "www",
            "default",
            "no (would be created)",
            "localhost, tenants.localhost/www, tenants.localhost",
        ],
        ["static", "archive", "other", "no (would be created)", "archive.localhost"],
        ["dynamic", "bare_0", "default", "no (would be created)", "bare-0.fleet.test"],
        ["dynamic", "cli_0", "default", "yes", "cli-0.fleet.test"],
    ]
    assert not schema_exists(admin, "www")  # a dry run: nothing created
    assert not schema_exists(admin, "bare_0")


def test_columns_line_up(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)

    stdout = io.StringIO()
    call_command("whowill", "-s", "www", "cli_0", stdout=stdout, stderr=io.StringIO())

    header, *lines = stdout.getvalue().splitlines()
    for line in lines:
        exists = " yes " if " yes " in line else " no "
        assert line.index(" default ") + 1 == header.index("DATABASE")
        assert line.index(exists) + 1 == header.index("SCHEMA EXISTS")


def test_says_how_many_were_selected(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)
    stderr = io.StringIO()

    call_command("whowill", "-s", ":dynamic:", stdout=io.StringIO(), stderr=stderr)

    assert "2 tenant(s) selected; nothing was run or changed." in stderr.getvalue()


def test_unknown_selector_is_an_error_naming_candidates(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)

    with pytest.raises(CommandError, match=r"No tenant matches 'cli_7'\. Did you mean: cli_"):
        whowill("-s", "cli_7")


def test_ambiguous_selector_is_an_error_naming_candidates(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)

    with pytest.raises(CommandError, match=r"'cli-' matches 2 tenants: cli_0 .*; cli_1 "):
        whowill("-s", "cli-")


def test_asks_when_s_is_missing(
    make_fleet: Callable[..., list], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_fleet(2)
    monkeypatch.setattr("builtins.input", lambda question: "cli_1")

    rows = whowill()

    assert [columns(row)[1] for row in rows[1:]] == ["cli_1"]


def test_noinput_without_s_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked despite --noinput"))

    with pytest.raises(CommandError, match="No schema given: pass -s/--schema"):
        whowill("--noinput")


def test_has_no_options_that_would_run_anything() -> None:
    with pytest.raises(CommandError, match="unrecognized arguments: --executor"):
        whowill("-s", "www", "--executor", "parallel")
