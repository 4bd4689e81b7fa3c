"""The base classes for your own tenant-aware commands."""

from __future__ import annotations

import argparse
import io
import sys
import types
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from sandbox.customers.models import Tenant as CustomerTenant

import tenantry
from tenantry import SchemaDescriptor
from tenantry_cli import DynamicTenantCommand, StaticTenantCommand, TenantCommand

SHARED_OPTIONS = {"-s", "--schema", "--executor", "--no-create-schemas", "--noinput", "--no-input"}


class Recorder:
    """Each run's tenant, whether it was the active one, and its options."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, bool, dict[str, Any]]] = []

    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> str | None:
        self.calls.append((tenant, tenantry.get_current_tenant() is tenant, options))
        self.stdout.write(f"hello from {tenant.schema_name}")  # type: ignore[attr-defined]
        return f"greeted {options.get('greeting', '-')}"


class Greet(Recorder, TenantCommand):
    def add_tenant_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--greeting", default="hi")


class GreetStatic(Recorder, StaticTenantCommand):
    pass


class GreetDynamic(Recorder, DynamicTenantCommand):
    pass


class FailInCli1(TenantCommand):
    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> None:
        if tenant.schema_name == "cli_1":
            raise ValueError("cli_1 is out of paper")


def option_strings(command: BaseCommand) -> set[str]:
    parser = command.create_parser("manage.py", "greet")
    return {option for action in parser._actions for option in action.option_strings}


def run(command: BaseCommand, *args: str) -> str:
    stdout = io.StringIO()
    call_command(command, *args, stdout=stdout, stderr=io.StringIO())
    return stdout.getvalue()


@pytest.mark.parametrize("command_class", [Greet, GreetStatic, GreetDynamic])
def test_every_base_class_gets_the_shared_options(command_class: type[BaseCommand]) -> None:
    assert option_strings(command_class()) >= SHARED_OPTIONS


def test_own_arguments_come_next_to_the_shared_ones(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)
    command = Greet()

    out = run(command, "-s", "cli_0", "--greeting", "hello")

    assert "--greeting" in option_strings(Greet())
    [(_, _, options)] = command.calls
    assert options["greeting"] == "hello"
    assert "cli_0: ok" in out
    assert "greeted hello" in out  # handle_tenant's return value is the summary's detail


def test_handle_tenant_gets_a_descriptor_or_a_row_and_it_is_active(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(1)
    command = Greet()

    out = run(command, "-s", "www", "cli_0")

    (static, static_active, _), (dynamic, dynamic_active, _) = command.calls
    assert static == SchemaDescriptor("www", domain="localhost")
    assert isinstance(dynamic, CustomerTenant)
    assert dynamic.schema_name == "cli_0"
    assert static_active
    assert dynamic_active
    assert tenantry.get_current_tenant() is None  # and nothing stays active afterwards
    assert "[www] hello from www\n" in out
    assert "[cli_0] hello from cli_0\n" in out


def test_static_command_skips_dynamic_tenants(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)
    command = GreetStatic()

    run(command, "-s", "www", "cli_0")

    assert [tenant.schema_name for tenant, _, _ in command.calls] == ["www"]


def test_static_command_on_only_dynamic_tenants_is_an_error(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(2)
    command = GreetStatic()

    with pytest.raises(CommandError, match=r":dynamic: selects no static tenant"):
        run(command, "-s", ":dynamic:")

    assert command.calls == []


def test_dynamic_command_on_a_static_tenant_is_an_error(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)

    with pytest.raises(CommandError, match=r"www selects no dynamic tenant"):
        run(GreetDynamic(), "-s", "www")


def test_a_failing_tenant_fails_the_command_with_its_name(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(3)
    stdout = io.StringIO()

    with pytest.raises(CommandError, match=r"Failed in 1 schema\(s\): cli_1\."):
        call_command(FailInCli1(), "-s", ":dynamic:", "--executor", "parallel", stdout=stdout)

    assert summary(stdout.getvalue()) == {"cli_0": "ok", "cli_1": "failed", "cli_2": "ok"}
    assert "ValueError: cli_1 is out of paper" in stdout.getvalue()


def test_forgetting_handle_tenant_is_reported(make_fleet: Callable[..., list]) -> None:
    make_fleet(1)
    stdout = io.StringIO()

    with pytest.raises(CommandError):
        call_command(TenantCommand(), "-s", "cli_0", stdout=stdout)

    assert "must define handle_tenant()" in stdout.getvalue()


# -- the README's example: public, no terminal, and under runschema -----------------------------


class CountNotes(TenantCommand):
    """The README's ``countnotes``, word for word."""

    help = "Count each tenant's notes."

    def add_tenant_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--title")

    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> str:
        from sandbox.notes.models import Note

        notes = Note.objects.all()
        if options["title"]:
            notes = notes.filter(title=options["title"])
        self.stdout.write(f"{notes.count()} notes")
        return "counted"


class GreetPublicToo(Greet):
    include_public = True


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("static_schemas")
def test_wildcards_leave_public_out_unless_named_or_included(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(1)

    def schemas(command: Greet, *selectors: str) -> list[str]:
        run(command, "-s", *selectors)
        return [tenant.schema_name for tenant, _, _ in command.calls]

    assert schemas(Greet(), ":all:") == ["www", "archive", "cli_0"]
    assert schemas(GreetStatic(), ":static:") == ["www", "archive"]
    assert schemas(Greet(), "public", "cli_0") == ["public", "cli_0"]
    assert schemas(GreetPublicToo(), ":all:") == ["public", "www", "archive", "cli_0"]


def test_the_readme_command_on_all_dynamic_tenants(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(2)

    out = run(CountNotes(), "-s", ":dynamic:")

    assert "[cli_0] 1 notes" in out
    assert summary(out) == {"cli_0": "ok", "cli_1": "ok"}


class NoTerminal(io.StringIO):
    """Standard input of a cron job or a CI step: readable, empty, no terminal."""


class ClosedTerminal(io.StringIO):
    """A terminal that says it is one, and then hangs up (EOF) at the question."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("stdin", [NoTerminal(), ClosedTerminal()], ids=["pipe", "eof"])
def test_without_s_and_nobody_to_ask_it_fails_clearly(
    make_fleet: Callable[..., list], monkeypatch: pytest.MonkeyPatch, stdin: io.StringIO
) -> None:
    make_fleet(1)
    monkeypatch.setattr("sys.stdin", stdin)
    command = Greet()

    with pytest.raises(CommandError) as raised:
        run(command)

    assert str(raised.value).startswith("No tenant selected: pass -s/--schema SELECTOR")
    assert "nothing was run" in str(raised.value)
    assert command.calls == []


def test_with_a_tenant_active_and_no_s_it_runs_there_without_asking(
    make_fleet: Callable[..., list], monkeypatch: pytest.MonkeyPatch
) -> None:
    [tenant] = make_fleet(1)
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked"))
    command = Greet()

    with tenantry.tenant_context(tenant):
        out = run(command)

    assert [t.schema_name for t, active, _ in command.calls] == ["cli_0"]
    assert out == "hello from cli_0\n"  # the caller (runschema) prefixes and sums up


def test_an_active_tenant_of_the_wrong_kind_is_refused(make_fleet: Callable[..., list]) -> None:
    [tenant] = make_fleet(1)

    with tenantry.tenant_context(tenant), pytest.raises(CommandError, match="not a static"):
        run(GreetStatic())


@pytest.fixture
def installed_countnotes(monkeypatch: pytest.MonkeyPatch) -> None:
    """``countnotes`` as an installed app's command (``h2app.management.commands``)."""
    module = None
    names = ["h2app", "management", "commands", "countnotes"]
    for depth in range(1, len(names) + 1):
        module = types.ModuleType(".".join(names[:depth]))
        module.__path__ = []  # type: ignore[attr-defined] - a package: the next level imports
        monkeypatch.setitem(sys.modules, module.__name__, module)
    module.Command = CountNotes  # type: ignore[union-attr]
    monkeypatch.setitem(get_commands(), "countnotes", "h2app")


@pytest.mark.django_db(transaction=True, databases=["default", "other"])
@pytest.mark.usefixtures("installed_countnotes", "static_schemas")
@pytest.mark.parametrize("executor", ["sequential", "parallel"])
def test_runschema_runs_the_readme_command_once_per_tenant_without_asking(
    make_fleet: Callable[..., list],
    summary: Callable[[str], dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    executor: str,
) -> None:
    make_fleet(3)
    monkeypatch.setattr("builtins.input", lambda question: pytest.fail("asked"))
    stdout = io.StringIO()

    call_command(
        "runschema", "-s", ":dynamic:", "--executor", executor, "countnotes", stdout=stdout
    )

    assert summary(stdout.getvalue()) == {"cli_0": "ok", "cli_1": "ok", "cli_2": "ok"}
    for schema in ("cli_0", "cli_1", "cli_2"):
        assert f"[{schema}] 1 notes\n" in stdout.getvalue()
    # :all: leaves public out, as countnotes on its own does (www has no notes app: fails)
    stdout = io.StringIO()
    with pytest.raises(CommandError, match="Failed in 2 schema"):
        call_command(
            "runschema", "-s", ":all:", "--executor", "parallel", "countnotes", stdout=stdout
        )
    outcomes = summary(stdout.getvalue())
    assert "public" not in outcomes
    assert outcomes == {
        "www": "failed",
        "other:archive": "failed",
        "cli_0": "ok",
        "cli_1": "ok",
        "cli_2": "ok",
    }
    assert "TenantAppNotInstalledError" in stdout.getvalue()
