"""The options every tenant-aware command shares, and turning them into tenants."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any

from django.core.management.base import CommandError

import tenantry
from tenantry import CatalogEntry, SelectorError, TenantKind

__all__ = [
    "SELECTOR_HELP",
    "add_create_schemas_argument",
    "add_executor_argument",
    "add_noinput_argument",
    "add_schema_argument",
    "add_selection_arguments",
    "select",
]

SELECTOR_HELP = (
    "a static tenant's key, a dynamic tenant's schema name, the prefix of a domain matching "
    "exactly one tenant, domain/folder, or :all:, :static:, :dynamic:"
)


def add_selection_arguments(parser: argparse.ArgumentParser, *, default_executor: str) -> None:
    """Every option of a command that runs over tenants: the four below."""
    add_schema_argument(parser)
    add_executor_argument(parser, default=default_executor)
    add_create_schemas_argument(parser)
    add_noinput_argument(parser)


def add_schema_argument(
    parser: argparse.ArgumentParser,
    *,
    explanation: str = f"Where to run: one or more of {SELECTOR_HELP}. Asked for when omitted.",
) -> None:
    parser.add_argument(
        "-s", "--schema", nargs="+", dest="schemas", metavar="SCHEMA", help=explanation
    )


def add_executor_argument(parser: argparse.ArgumentParser, *, default: str) -> None:
    try:
        executors = ", ".join(tenantry.get_executors())
    except tenantry.PluginError as error:  # shown in --help rather than crashing it
        executors = f"(cannot list: {error})"
    parser.add_argument(
        "--executor",
        default=default,
        help=f"How to run over several schemas (default {default}). Found: {executors}.",
    )


def add_create_schemas_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-create-schemas",
        action="store_false",
        dest="create_schemas",
        help="Fail for tenants whose schema does not exist instead of creating it.",
    )


def add_noinput_argument(parser: argparse.ArgumentParser) -> None:
    flags = ("--noinput", "--no-input")
    never = "Never prompt; without -s the command then fails."
    parser.add_argument(*flags, action="store_false", dest="interactive", help=never)


def ask_for_selectors(prompt: Callable[[str], str]) -> list[str]:
    answer = prompt(f"Schemas to run on ({SELECTOR_HELP}; separate with spaces): ")
    selectors = answer.split()
    if not selectors:
        raise CommandError("No schema given; nothing was run.")
    return selectors


def select(
    options: dict[str, Any],
    *,
    kinds: Collection[TenantKind] = frozenset(TenantKind),
    prompt: Callable[[str], str] | None = None,
    default: list[str] | None = None,
) -> list[CatalogEntry]:
    """The catalog entries ``-s`` names (asking when interactive), limited to ``kinds``.

    ``prompt`` defaults to ``input``, looked up per call so tests can patch it.
    """
    selectors = options.get("schemas") or default
    if not selectors:
        if not options.get("interactive", True):
            raise CommandError(
                f"No schema given: pass -s/--schema ({SELECTOR_HELP}); with --noinput "
                "nothing is asked and nothing was run."
            )
        selectors = ask_for_selectors(prompt or input)
    try:
        entries = tenantry.select_tenants(selectors)
    except SelectorError as error:
        raise CommandError(str(error)) from error
    chosen = [entry for entry in entries if entry.kind in kinds]
    if entries and not chosen:
        allowed = " or ".join(kind.value for kind in kinds)
        raise CommandError(
            f"{' '.join(selectors)} selects no {allowed} tenant; this command runs on "
            f"{allowed} tenants only."
        )
    return chosen
