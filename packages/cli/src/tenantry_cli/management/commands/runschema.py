"""``manage.py runschema -s SCHEMA... [--executor NAME] command_name [its arguments]``."""

from __future__ import annotations

import argparse
import difflib
import sys
from collections.abc import Collection
from typing import Any

from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenantry import PUBLIC_SCHEMA, Tenant
from tenantry_cli._commands import TenantCommand
from tenantry_cli._runner import DEFAULT_EXECUTOR
from tenantry_cli._selection import select, stdin_is_a_terminal
from tenantry_cli.management.commands.migrate import migrate_selection

__all__ = ["Command", "inner_options", "split_command", "unknown_command"]

_SCHEMA_FLAGS = ("-s", "--schema")


def split_command(tokens: list[str], commands: Collection[str]) -> list[str]:
    """Put ``--`` before the wrapped command's name, so ``-s a b migrate`` stops at migrate.

    ``-s`` takes several values and would swallow the command name; the first token naming a
    known command (not the value of ``--executor``) ends runschema's own options.
    """
    for index, token in enumerate(tokens):
        if token == "--":
            return tokens
        if token in commands and (index == 0 or tokens[index - 1] != "--executor"):
            return [*tokens[:index], "--", *tokens[index:]]
    return tokens


def unknown_command(name: str, commands: Collection[str], selectors: list[str]) -> str:
    """``unknown command 'migrat' (did you mean 'migrate'?)``, with what -s read."""
    close = difflib.get_close_matches(name, sorted(commands), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    read = f"; -s read the selectors {' '.join(selectors)}" if selectors else ""
    return (
        f"unknown command {name!r}{hint}{read}. Nothing was run; `manage.py help` lists "
        "the commands."
    )


def _schema_values(tokens: list[str]) -> list[str]:
    """The values of a ``-s``/``--schema`` that runs to the end of ``tokens`` (else none:
    the words after a later option are argparse's to place)."""
    values: list[str] = []
    collecting = False
    for token in tokens:
        if token in _SCHEMA_FLAGS:
            values, collecting = [], True
        elif token.startswith("-"):
            collecting = False
        elif collecting:
            values.append(token)
    return values if collecting else []


def missing_command(tokens: list[str], commands: Collection[str]) -> str | None:
    """Why no command follows ``-s`` in ``tokens`` (none named a command), or None.

    ``-s`` swallows every word up to the next option: its last value is then the command
    the user meant, misspelled (``-s acme migrat``) or absent (``-s acme``).
    """
    values = _schema_values(tokens)
    if "--" in tokens or not values:
        return None
    if len(values) == 1:
        return (
            f"no command after -s {values[0]}: runschema -s SELECTOR [SELECTOR ...] COMMAND "
            "[ARGS]. Nothing was run."
        )
    return unknown_command(values[-1], commands, values[:-1])


def inner_options(
    command: BaseCommand, name: str, command_args: list[str], options: dict[str, Any]
) -> dict[str, Any]:
    """``interactive=False`` for a command that can ask (``flush``...) when runschema never
    asks (``--noinput``); refused when it would ask where nobody can answer."""
    if isinstance(command, TenantCommand):  # asks only without -s, never with a tenant active
        return {}
    parser = command.create_parser("manage.py", name)
    if "interactive" not in {action.dest for action in parser._actions}:
        return {}
    if not options["interactive"]:
        return {"interactive": False}
    asks = getattr(parser.parse_known_args(command_args)[0], "interactive", False)
    if asks and options["executor"] != DEFAULT_EXECUTOR:
        where = f"under --executor {options['executor']} (many tenants at once)"
    elif asks and not stdin_is_a_terminal():
        where = "off a terminal"
    else:
        return {}
    raise CommandError(
        f"{name} asks for confirmation, which nobody can give {where}: pass its --noinput "
        f"(runschema ... {name} --noinput) or runschema's own. Nothing was run."
    )


class Command(TenantCommand):
    help = (
        "Run any management command once per selected schema, with that tenant active. "
        "`runschema ... migrate` runs tenantry's fleet migrate over the selection. "
        "--noinput also makes the command it runs ask nothing (e.g. flush); a command that "
        "would ask is refused under a concurrent executor or off a terminal."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_args = parser.parse_args

        def parse_splitting_command(args: Any = None, namespace: Any = None) -> Any:
            tokens = list(sys.argv[2:] if args is None else args)
            commands = get_commands()
            split = split_command(tokens, commands)
            if split == tokens and (problem := missing_command(tokens, commands)):
                parser.error(problem)  # a CommandError, or usage and exit 2 in a terminal
            return parse_args(split, namespace)

        parser.parse_args = parse_splitting_command  # type: ignore[method-assign]
        return parser

    def add_tenant_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("command_name", help="The command to run in every schema.")
        parser.add_argument(
            "command_args",
            nargs=argparse.REMAINDER,
            help="Arguments and options of that command.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["command_name"]
        if name == "runschema":
            raise CommandError("runschema cannot run itself.")
        commands = get_commands()
        if name not in commands:
            raise CommandError(unknown_command(name, commands, options.get("schemas") or []))
        if name == "migrate":
            # The fleet migrate plans once per migration state for the whole selection; the
            # public schema only when selected.
            entries = select(options, kinds=self.tenant_kinds)
            migrate_selection(
                [e.tenant for e in entries if e.tenant.schema_name != PUBLIC_SCHEMA],
                options["command_args"],
                skip_public=all(e.tenant.schema_name != PUBLIC_SCHEMA for e in entries),
                executor=options["executor"],
                create_schemas=options["create_schemas"],
                interactive=options["interactive"],
                stdout=self.stdout._out,
                stderr=self.stderr._out,
                skip_checks=True,
            )
            return
        self._app_name = commands[name]
        inner = (  # loaded now: fails now, not once per schema
            self._app_name
            if isinstance(self._app_name, BaseCommand)
            else load_command_class(self._app_name, name)
        )
        self._inner = inner
        self._inner_options = inner_options(inner, name, options["command_args"], options)
        super().handle(*args, **options)

    def public_unless_named(self) -> bool:
        # Any command may run in public (check, dumpdata...); a tenant command only when
        # it says so, as when it is run on its own.
        inner = getattr(self, "_inner", None)
        return isinstance(inner, TenantCommand) and inner.public_unless_named()

    def handle_tenant(self, tenant: Tenant, *args: Any, **options: Any) -> str | None:
        name = options["command_name"]
        command: BaseCommand | str = (
            name
            if isinstance(self._app_name, BaseCommand)
            else load_command_class(self._app_name, name)  # one instance per schema
        )
        call_command(
            command,
            *options["command_args"],
            stdout=self.stdout._out,
            stderr=self.stderr._out,
            **self._inner_options,
        )
        return None
