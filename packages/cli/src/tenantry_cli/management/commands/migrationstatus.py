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

from tenantry import SelectorError, Tenant, select_tenants
from tenantry_cli._fleet_state import read_fleet_states
from tenantry_cli._outcome_log import last_outcomes
from tenantry_cli._runner import schema_label
from tenantry_cli._selection import SELECTOR_HELP
from tenantry_django.schemas import clone_reference, project_migrations

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
        # Shown on a row of its own: new tenants are copies of it, so it should be current.
        reference = clone_reference()
        schemas: list[Tenant] = [*tenants, *([reference] if reference else [])]
        states = read_fleet_states(schemas)
        outcomes = last_outcomes([(t.database, t.schema_name) for t in schemas])
        project = project_migrations()
        rows = []
        behind = 0
        for tenant in schemas:
            is_reference = tenant is reference
            place = (tenant.database, tenant.schema_name)
            state = states[place]
            if not state.exists and is_reference:
                if options["behind"]:
                    continue  # optional, and not behind: nothing to migrate
                status, pending = "not created (manage.py createrefschema)", ""
            elif not state.exists:
                status, pending = "no schema", ""
            elif state.applied is None:
                status, pending = "never migrated", f"all {len(project)}"
            else:
                lacking = sorted(project - state.applied)
                status = f"behind by {len(lacking)}" if lacking else "up to date"
                pending = ", ".join(f"{app}.{name}" for app, name in lacking[:_SHOWN_PENDING])
                if len(lacking) > _SHOWN_PENDING:
                    pending += f", ... (+{len(lacking) - _SHOWN_PENDING})"
            if status != "up to date" and not is_reference:
                behind += 1
            if options["behind"] and status == "up to date":
                continue
            last = outcomes.get(place)
            last_text = ""
            if last is not None:
                last_text = f"{last.status} {last.finished_at:%Y-%m-%d %H:%M}"  # type: ignore[attr-defined]
                if last.error:  # type: ignore[attr-defined]
                    last_text += f": {last.error}"  # type: ignore[attr-defined]
            label = schema_label(tenant) + (" (clone reference)" if is_reference else "")
            rows.append((label, status, pending, last_text))
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
