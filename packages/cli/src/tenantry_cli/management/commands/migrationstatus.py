"""``manage.py migrationstatus [-s SELECTOR...] [--behind]``: which schemas are behind, and on
what, read with a few catalog queries for the whole fleet; plus each schema's last recorded
migrate outcome (and its error). The clone reference, when configured, has a row of its own
labelled ``(clone reference)``; the headline counts tenants only."""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tenantry import SelectorError, select_tenants
from tenantry_cli._outcome_log import LastOutcome, last_outcomes
from tenantry_cli._selection import SELECTOR_HELP, add_schema_argument
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


def _last_run(last: LastOutcome | None) -> str:
    if last is None:
        return ""
    text = f"{last.status} {last.finished_at:%Y-%m-%d %H:%M}"
    return f"{text}: {last.error}" if last.error else text


class _Statuses:
    """``_status`` once per distinct state: the schemas of a fleet share a few states (one
    object each, see ``read_states``), so 10,000 rows share a few status texts."""

    def __init__(self, project: frozenset[MigrationKey]) -> None:
        self._project = project
        self._known: dict[tuple[SchemaState, bool], Status] = {}

    def of(self, state: SchemaState, is_reference: bool) -> Status:
        key = (state, is_reference)
        status = self._known.get(key)
        if status is None:
            status = self._known[key] = _status(state, self._project, is_reference)
        return status


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
        del entries  # the places are all it needs: the tenants' rows can go
        # Shown on a row of its own: new tenants are copies of it, so it should be current.
        reference = clone_reference()
        reference_place = None if reference is None else Place.of(reference)
        places = [*tenants, *([reference_place] if reference_place else [])]
        states = read_states(places)
        outcomes = last_outcomes(places)
        statuses = _Statuses(project_migrations())
        behind = sum(statuses.of(states[place], False)[0] != "up to date" for place in tenants)
        rows = self._rows(places, reference_place, states, outcomes, statuses, options["behind"])
        self._print(f"{len(tenants)} schema(s), {behind} not up to date", rows)

    @staticmethod
    def _rows(
        places: list[Place],
        reference: Place | None,
        states: dict[Place, SchemaState],
        outcomes: dict[Place, LastOutcome],
        statuses: _Statuses,
        behind_only: bool,
    ) -> Iterator[Row]:
        """The rows to show, one at a time (10,000 of them are never all kept as text)."""
        for index, place in enumerate(places):
            is_reference = reference is not None and index == len(places) - 1  # comes last
            state = states[place]
            status, pending = statuses.of(state, is_reference)
            if is_reference and behind_only and not state.exists:
                continue  # optional, and not behind: nothing to migrate
            if behind_only and status == "up to date":
                continue
            label = place.label + (" (clone reference)" if is_reference else "")
            yield label, status, pending, _last_run(outcomes.get(place))

    def _print(self, headline: str, rows: Iterable[Row]) -> None:
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
