"""``runschema``: any command once per selected schema, output prefixed, outcomes summed up."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from postgres_harness import AdminConnection, django_conninfo
from sandbox.customers.models import Tenant

from tenantry import tenant_context
from tenantry_cli.management.commands.runschema import split_command


def run(*args: str) -> tuple[str, str]:
    """``runschema *args``: its stdout and stderr."""
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("runschema", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def run_failing(*args: str) -> tuple[str, CommandError]:
    """``runschema *args``, which must fail: its stdout and the error."""
    stdout = io.StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("runschema", *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue(), raised.value


def schema_exists(admin: AdminConnection, schema: str) -> bool:
    row = admin.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [schema]).fetchone()
    return bool(row and row[0])


def table_count(admin: AdminConnection, schema: str) -> int:
    row = admin.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = %s",
        [schema],
    ).fetchone()
    return int(row[0]) if row else 0


def test_command_name_ends_the_list_of_schemas(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)

    out, _ = run("-s", "cli_0", "cli_1", "showmigrations", "notes")

    for schema in ("cli_0", "cli_1"):
        assert f"[{schema}] notes\n" in out
        assert f"[{schema}]  [X] 0001_initial\n" in out


def test_every_output_line_carries_its_schema(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)

    out, _ = run("-s", "cli_0", "cli_1", "--executor", "parallel", "showmigrations", "notes")

    command_output = out.partition("Summary: ")[0].splitlines()
    assert len(command_output) >= 6  # app line and two migrations, per schema
    assert all(re.match(r"\[cli_[01]\] ", line) for line in command_output), command_output


def test_options_of_the_wrapped_command_pass_through(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)

    out, _ = run("-s", "cli_0", "showmigrations", "--plan", "notes")

    assert "[cli_0] [X]  notes.0001_initial\n" in out  # --plan's format, not the list's


def test_wrapped_command_options_with_values_pass_through(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(1)

    out, _ = run("-s", "cli_0", "dumpdata", "notes.note", "--indent", "2")

    assert '[cli_0]     "title": "cli_0",\n' in out


@pytest.mark.parametrize(
    ("tokens", "expected"),
    [
        (["-s", "a", "b", "check"], ["-s", "a", "b", "--", "check"]),
        (["-s", "a", "check", "-s", "x"], ["-s", "a", "--", "check", "-s", "x"]),
        (
            ["--executor", "check", "-s", "a", "check"],  # the executor's value is no command
            ["--executor", "check", "-s", "a", "--", "check"],
        ),
        (["-s", "a", "--", "check"], ["-s", "a", "--", "check"]),
    ],
)
def test_split_command_puts_the_command_behind_a_double_dash(
    tokens: list[str], expected: list[str]
) -> None:
    assert split_command(tokens, {"check"}) == expected


def test_summary_lists_every_schemas_outcome(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(2)

    out, _ = run("-s", ":dynamic:", "check")

    assert "Summary: 2 schema(s): 2 ok, 0 failed, 0 skipped" in out
    assert summary(out) == {"cli_0": "ok", "cli_1": "ok"}


def test_a_failing_schema_does_not_hide_the_others(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(2)
    make_fleet(1, "zz", migrate=False)  # its schema is created empty: no notes table

    out, error = run_failing("-s", ":dynamic:", "dumpdata", "notes")

    assert summary(out) == {"cli_0": "ok", "cli_1": "ok", "zz_0": "failed"}
    assert '"title": "cli_0"' in out
    assert '"title": "cli_1"' in out
    assert re.search(r"zz_0: failed .*CommandError: Unable to serialize database", out)
    assert "Failed in 1 schema(s): zz_0." in str(error)


def test_sequential_stops_at_the_first_failure(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(1, "bare", migrate=False)  # first in catalog order, and fails
    make_fleet(2)

    out, _ = run_failing("-s", ":dynamic:", "dumpdata", "notes")

    assert summary(out) == {"bare_0": "failed", "cli_0": "skipped", "cli_1": "skipped"}
    assert "[cli_0]" not in out
    assert "1 failed, 2 skipped" in out


def test_parallel_finishes_the_others_after_a_failure(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(1, "bare", migrate=False)
    make_fleet(2)

    out, _ = run_failing("-s", ":dynamic:", "--executor", "parallel", "dumpdata", "notes")

    assert summary(out) == {"bare_0": "failed", "cli_0": "ok", "cli_1": "ok"}


def test_missing_schema_is_created_but_not_migrated(
    make_fleet: Callable[..., list],
    admin: AdminConnection,
    summary: Callable[[str], dict[str, str]],
) -> None:
    make_fleet(1, "bare", migrate=False)
    assert not schema_exists(admin, "bare_0")

    out, _ = run("-s", "bare_0", "check")

    assert schema_exists(admin, "bare_0")
    assert table_count(admin, "bare_0") == 0
    assert summary(out) == {"bare_0": "ok"}
    assert "bare_0: ok" in out
    assert "schema created" in out


def test_no_create_schemas_fails_that_schema_and_creates_nothing(
    make_fleet: Callable[..., list],
    admin: AdminConnection,
    summary: Callable[[str], dict[str, str]],
) -> None:
    make_fleet(1)
    make_fleet(1, "bare", migrate=False)

    out, error = run_failing(
        "-s", ":dynamic:", "--no-create-schemas", "--executor", "parallel", "check"
    )

    assert summary(out) == {"bare_0": "failed", "cli_0": "ok"}
    assert "Schema 'bare_0' does not exist in database 'default'" in out
    assert "bare_0" in str(error)
    assert not schema_exists(admin, "bare_0")


def test_processes_executor_runs_the_command_in_workers(
    make_fleet: Callable[..., list],
    capfd: pytest.CaptureFixture[str],
    summary: Callable[[str], dict[str, str]],
) -> None:
    make_fleet(2)

    # Forked workers write to the inherited file descriptor, so capture at that level.
    call_command(
        "runschema", "-s", ":dynamic:", "--executor", "processes", "showmigrations", "notes"
    )

    out = capfd.readouterr().out
    assert summary(out) == {"cli_0": "ok", "cli_1": "ok"}
    assert "[cli_0]  [X] 0001_initial" in out
    assert "[cli_1]  [X] 0001_initial" in out


def test_unknown_command_is_refused_before_any_schema(
    make_fleet: Callable[..., list], admin: AdminConnection
) -> None:
    make_fleet(1, "bare", migrate=False)

    _, error = run_failing("-s", "bare_0", "--", "no_such_command")

    assert "unknown command 'no_such_command'" in str(error)
    assert not schema_exists(admin, "bare_0")


@pytest.mark.django_db
def test_runschema_does_not_run_itself() -> None:
    _, error = run_failing("-s", "www", "runschema", "check")

    assert "runschema cannot run itself" in str(error)


# -- a misspelled command after -s ------------------------------------------------------------


@pytest.mark.django_db
def test_a_misspelled_command_after_s_is_named_with_a_suggestion() -> None:
    _, error = run_failing("-s", "www", "cli_0", "migrat")

    assert str(error) == (
        "Error: unknown command 'migrat' (did you mean 'migrate'?); -s read the selectors "
        "www cli_0. Nothing was run; `manage.py help` lists the commands."
    )


@pytest.mark.django_db
def test_a_misspelled_command_after_other_options_gets_the_suggestion_too() -> None:
    _, error = run_failing("-s", "www", "--executor", "parallel", "chek")

    assert "unknown command 'chek' (did you mean 'check'?); -s read the selectors www" in str(error)


@pytest.mark.django_db
def test_s_without_a_command_says_so() -> None:
    _, error = run_failing("-s", "www")

    assert "no command after -s www: runschema -s SELECTOR [SELECTOR ...] COMMAND" in str(error)


def test_a_misspelled_command_in_a_terminal_is_one_clear_error_and_exit_2(
    make_fleet: Callable[..., list], admin: AdminConnection
) -> None:
    make_fleet(1, "bare", migrate=False)
    sandbox = Path(__file__).resolve().parents[1] / "sandbox"
    environment = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "sandbox.settings",
        "TENANTRY_SANDBOX_DATABASE_URL": django_conninfo(connection.settings_dict),
    }

    result = subprocess.run(
        [sys.executable, str(sandbox / "manage.py"), "runschema", "-s", "bare_0", "migrat"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert "required: command_name" not in result.stderr
    assert "Traceback" not in result.stderr
    assert "error: unknown command 'migrat' (did you mean 'migrate'?)" in result.stderr
    assert not schema_exists(admin, "bare_0")  # nothing ran, nothing was created


# -- commands that ask for confirmation ---------------------------------------------------------


def notes_of(schema: str) -> int:
    from sandbox.notes.models import Note

    with tenant_context(Tenant.objects.get(schema_name=schema)):
        return Note.objects.count()


@pytest.mark.parametrize("executor", ["parallel", "processes"])
def test_a_command_that_asks_is_refused_under_a_concurrent_executor(
    make_fleet: Callable[..., list], executor: str
) -> None:
    make_fleet(2)

    _, error = run_failing("-s", ":dynamic:", "--executor", executor, "flush")

    assert str(error) == (
        f"flush asks for confirmation, which nobody can give under --executor {executor} "
        "(many tenants at once): pass its --noinput (runschema ... flush --noinput) or "
        "runschema's own. Nothing was run."
    )
    assert notes_of("cli_0") == notes_of("cli_1") == 1


def test_a_command_that_asks_is_refused_off_a_terminal(
    make_fleet: Callable[..., list], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_fleet(1)
    monkeypatch.setattr("sys.stdin", io.StringIO())

    _, error = run_failing("-s", "cli_0", "flush")

    assert "which nobody can give off a terminal" in str(error)
    assert notes_of("cli_0") == 1


def test_runschemas_noinput_makes_the_command_it_runs_ask_nothing(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(2)

    out, _ = run("--noinput", "-s", ":dynamic:", "--executor", "parallel", "flush")

    assert summary(out) == {"cli_0": "ok", "cli_1": "ok"}
    assert notes_of("cli_0") == notes_of("cli_1") == 0
