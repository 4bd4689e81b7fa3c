"""The options every tenant-aware command shares, and turning them into tenants."""

from __future__ import annotations

import argparse
import builtins
import sys
from collections.abc import Callable, Collection, Sequence
from typing import Any

from django.core.management.base import CommandError

import tenantry
from tenantry import PUBLIC_SCHEMA, CatalogEntry, SelectorError, Tenant, TenantKind
from tenantry_django.conf import get_settings

__all__ = [
    "SELECTOR_HELP",
    "add_create_schemas_argument",
    "add_executor_argument",
    "add_noinput_argument",
    "add_schema_argument",
    "add_selection_arguments",
    "kind_of",
    "select",
    "stdin_is_a_terminal",
]

# The real ``input``: a prompt that needs a terminal (tests replace it with an answer).
_TERMINAL_INPUT = builtins.input

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


def stdin_is_a_terminal() -> bool:
    stdin = sys.stdin
    return stdin is not None and not stdin.closed and stdin.isatty()


def _nothing_to_ask_with() -> CommandError:
    return CommandError(
        f"No tenant selected: pass -s/--schema SELECTOR ({SELECTOR_HELP}). Standard input "
        "is not a terminal, so nothing was asked (--noinput never asks); nothing was run."
    )


def ask_for_selectors(prompt: Callable[[str], str]) -> list[str]:
    if prompt is _TERMINAL_INPUT and not stdin_is_a_terminal():
        raise _nothing_to_ask_with()  # input() would read a pipe or die with EOFError
    try:
        answer = prompt(f"Schemas to run on ({SELECTOR_HELP}; separate with spaces): ")
    except EOFError:
        raise _nothing_to_ask_with() from None
    selectors = answer.split()
    if not selectors:
        raise CommandError("No schema given; nothing was run.")
    return selectors


def kind_of(tenant: Tenant) -> TenantKind:
    """Static (a ``TENANTS`` key, public included) or dynamic (a tenant model row)."""
    statics = get_settings().tenants.statics
    if tenant.schema_name == PUBLIC_SCHEMA or tenant.schema_name in statics:
        return TenantKind.STATIC
    return TenantKind.DYNAMIC


def _is_public(entry: CatalogEntry) -> bool:
    return entry.kind is TenantKind.STATIC and entry.tenant.schema_name == PUBLIC_SCHEMA


def _without_unnamed_public(
    entries: list[CatalogEntry], selectors: Sequence[str]
) -> list[CatalogEntry]:
    """``entries`` less the public schema, unless a selector names it (``-s public``)."""
    if PUBLIC_SCHEMA in selectors:
        return entries
    kept = [entry for entry in entries if not _is_public(entry)]
    if entries and not kept:
        raise CommandError(
            f"{' '.join(selectors)} selects only the public schema, which is not a tenant; "
            f"name it (-s {PUBLIC_SCHEMA}) to run there. Nothing was run."
        )
    return kept


def select(
    options: dict[str, Any],
    *,
    kinds: Collection[TenantKind] = frozenset(TenantKind),
    prompt: Callable[[str], str] | None = None,
    default: list[str] | None = None,
    public_unless_named: bool = False,
) -> list[CatalogEntry]:
    """The catalog entries ``-s`` names (asking when interactive), limited to ``kinds``.

    ``prompt`` defaults to ``input``, looked up per call so tests can patch it; the real one
    asks only on a terminal. ``public_unless_named``: wildcards and domains leave the public
    schema out; only ``-s public`` selects it (tenant commands: public is not a tenant).
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
    if public_unless_named:
        entries = _without_unnamed_public(entries, selectors)
    chosen = [entry for entry in entries if entry.kind in kinds]
    if entries and not chosen:
        allowed = " or ".join(kind.value for kind in kinds)
        raise CommandError(
            f"{' '.join(selectors)} selects no {allowed} tenant; this command runs on "
            f"{allowed} tenants only."
        )
    return chosen
