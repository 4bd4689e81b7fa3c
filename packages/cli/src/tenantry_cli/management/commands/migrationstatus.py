"""``manage.py migrationstatus [-s SELECTOR...] [--behind]``: which schemas are behind, and on
what, read with a few catalog queries for the whole fleet; plus each schema's last recorded
migrate outcome (and its error)."""

from __future__ import annotations

import argparse
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.table import Table

from tenantry import SelectorError, select_tenants
from tenantry_cli._fleet_state import read_fleet_states
from tenantry_cli._outcome_log import last_outcomes
from tenantry_cli._runner import schema_label
from tenantry_cli._selection import SELECTOR_HELP
from tenantry_django.schemas import project_migrations

_SHOWN_PENDING = 3


class Command(BaseCommand):
    help = "Show, for every selected schema, whether it is up to date or which migrations it lacks."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "-s",
            "--schema",
            nargs="+",
            dest="schemas",
            metavar="SCHEMA",
            help=f"Which schemas (default :all:): {SELECTOR_HELP}.",
        )
        parser.add_argument("--behind", action="store_true", help="List only schemas behind.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            entries = select_tenants(options["schemas"] or [":all:"])
        except SelectorError as error:
            raise CommandError(str(error)) from error
        tenants = [entry.tenant for entry in entries]
        states = read_fleet_states(tenants)
        outcomes = last_outcomes([(t.database, t.schema_name) for t in tenants])
        project = project_migrations()
        rows = []
        for tenant in tenants:
            place = (tenant.database, tenant.schema_name)
            state = states[place]
            if not state.exists:
                status, pending = "no schema", ""
            elif state.applied is None:
                status, pending = "never migrated", f"all {len(project)}"
            else:
                lacking = sorted(project - state.applied)
                status = f"behind by {len(lacking)}" if lacking else "up to date"
                pending = ", ".join(f"{app}.{name}" for app, name in lacking[:_SHOWN_PENDING])
                if len(lacking) > _SHOWN_PENDING:
                    pending += f", ... (+{len(lacking) - _SHOWN_PENDING})"
            if options["behind"] and status == "up to date":
                continue
            last = outcomes.get(place)
            last_text = ""
            if last is not None:
                last_text = f"{last.status} {last.finished_at:%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]
                if last.error:  # type: ignore[attr-defined]
                    last_text += f": {last.error}"  # type: ignore[attr-defined]
            rows.append((schema_label(tenant), status, pending, last_text))
        behind = sum(1 for row in rows if row[1] != "up to date")
        headline = f"{len(tenants)} schema(s), {behind} not up to date"
        stream = cast(IO[str], self.stdout._out)
        if getattr(stream, "isatty", lambda: False)():
            table = Table(title=headline)
            for column in ("schema", "status", "pending", "last migrate run"):
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
