"""``manage.py migrationstatus [-s SELECTOR...] [--behind]``: which schemas are behind, and on
what, read with a few catalog queries for the whole fleet; plus each schema's last recorded
migrate outcome (and its error). The clone reference, when configured, has a row of its own
labelled ``(clone reference)``; the headline counts tenants only."""

from __future__ import annotations

import argparse
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tenantry import SelectorError, select_tenants
from tenantry_cli._outcome_log import last_outcomes
from tenantry_cli._selection import SELECTOR_HELP, add_schema_argument
from tenantry_cli.models import SchemaMigrationOutcome
from tenantry_django.migration import (
    MigrationKey,
    Place,
    SchemaState,
    project_migrations,
    read_states,
)
from tenantry_django.schemas import clone_reference

__all__ = ["Command"]

_SHOWN_PENDING = 3
_COLUMNS = ("schema", "status", "pending", "last migrate run")

Row = tuple[str, str, str, str]  # schema, status, pending, last migrate run
Status = tuple[str, str]  # status, pending


def _status(state: SchemaState, project: frozenset[MigrationKey], is_reference: bool) -> Status:
    """How far one schema is from the project's migrations, and the first ones it lacks."""
    if not state.exists and is_reference:
        return "not created (manage.py createrefschema)", ""
    if not state.exists:
        return "no schema", ""
    if state.applied is None:
        return "never migrated", f"all {len(project)}"
    lacking = state.lacking(project)
    pending = ", ".join(f"{app}.{name}" for app, name in lacking[:_SHOWN_PENDING])
    if len(lacking) > _SHOWN_PENDING:
        pending += f", ... (+{len(lacking) - _SHOWN_PENDING})"
    return f"behind by {len(lacking)}" if lacking else "up to date", pending


def _last_run(last: SchemaMigrationOutcome | None) -> str:
    if last is None:
        return ""
    text = f"{last.status} {last.finished_at:%Y-%m-%d %H:%M}"
    return f"{text}: {last.error}" if last.error else text


class Command(BaseCommand):
    help = "Show, for every selected schema, whether it is up to date or which migrations it lacks."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_schema_argument(parser, explanation=f"Which schemas (default :all:): {SELECTOR_HELP}.")
        parser.add_argument("--behind", action="store_true", help="List only schemas behind.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = select_tenants(options["schemas"] or [":all:"])
        except SelectorError as error:
            raise CommandError(str(error)) from error
        tenants = [Place.of(entry.tenant) for entry in entries]
        # Shown on a row of its own: new tenants are copies of it, so it should be current.
        reference = clone_reference()
        reference_place = None if reference is None else Place.of(reference)
        rows, behind = self._rows(tenants, reference_place, options["behind"])
        self._print(f"{len(tenants)} schema(s), {behind} not up to date", rows)

    @staticmethod
    def _rows(
        tenants: list[Place], reference: Place | None, behind_only: bool
    ) -> tuple[list[Row], int]:
        """The rows to show and how many tenants are not up to date."""
        places = [*tenants, *([reference] if reference else [])]
        states = read_states(places)
        outcomes = last_outcomes(places)
        project = project_migrations()
        rows: list[Row] = []
        behind = 0
        for index, place in enumerate(places):
            is_reference = index == len(tenants)  # the reference comes last
            state = states[place]
            status, pending = _status(state, project, is_reference)
            if is_reference and behind_only and not state.exists:
                continue  # optional, and not behind: nothing to migrate
            if status != "up to date" and not is_reference:
                behind += 1
            if behind_only and status == "up to date":
                continue
            label = place.label + (" (clone reference)" if is_reference else "")
            rows.append((label, status, pending, _last_run(outcomes.get(place))))
        return rows, behind

    def _print(self, headline: str, rows: list[Row]) -> None:
        stream = cast(IO[str], self.stdout._out)
        if getattr(stream, "isatty", lambda: False)():
            table = Table(title=headline)
            for column in _COLUMNS:
                table.add_column(column)
            for row in rows:
                table.add_row(*row)
            Console(file=stream).print(table)
            return
        self.stdout.write(headline)
        for schema, status, pending, last_text in rows:
            line = f"{schema}: {status}"
            if pending:
                line += f" (pending: {pending})"
            if last_text:
                line += f" | last run: {last_text}"
            self.stdout.write(line)
