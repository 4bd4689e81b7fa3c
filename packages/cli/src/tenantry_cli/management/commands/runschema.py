"""``manage.py runschema -s SCHEMA... [--executor NAME] command_name [its arguments]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from typing import Any

from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenantry import PUBLIC_SCHEMA, Tenant
from tenantry_cli._commands import TenantCommand
from tenantry_cli._selection import select
from tenantry_cli.management.commands.migrate import migrate_selection

__all__ = ["Command", "split_command"]


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


class Command(TenantCommand):
    help = (
        "Run any management command once per selected schema, with that tenant active. "
        "`runschema ... migrate` runs tenantry's fleet migrate over the selection."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parse_args = parser.parse_args

        def parse_splitting_command(args: Any = None, namespace: Any = None) -> Any:
            tokens = list(sys.argv[2:] if args is None else args)
            return parse_args(split_command(tokens, get_commands()), namespace)

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
            raise CommandError(f"Unknown command {name!r}; see `manage.py help`.")
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
        load_command_class(self._app_name, name)  # fails now, not once per schema
        super().handle(*args, **options)

    def handle_tenant(self, tenant: Tenant, *args: Any, **options: Any) -> str | None:
        name = options["command_name"]
        command: BaseCommand | str = (
            name
            if isinstance(self._app_name, BaseCommand)
            else load_command_class(self._app_name, name)  # one instance per schema
        )
        call_command(
            command, *options["command_args"], stdout=self.stdout._out, stderr=self.stderr._out
        )
        return None
