"""``manage.py spares [--fill | --drop] [--database ALIAS ...]``: the spare-schema pool.

Without an action it shows each pool (``--status``): every spare, current or stale, and the
size asked for. ``--fill`` brings each pool to its size (as ``migrate`` does after the
tenants: stale spares migrated, extra ones dropped, missing ones made); ``--drop`` drops
every spare, also with the pool turned off.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenantry_cli._spares import describe_pool
from tenantry_django.conf import get_settings
from tenantry_django.spares import (
    drop_spares,
    list_spares,
    pool_databases,
    refill_spares,
    tenant_databases,
)

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Show, fill or drop the pool of spare schemas new tenants claim."

    def add_arguments(self, parser: CommandParser) -> None:
        action = parser.add_mutually_exclusive_group()
        action.add_argument(
            "--status", action="store_true", help="Show every spare and the pool size (default)."
        )
        action.add_argument(
            "--fill",
            action="store_true",
            help="Migrate stale spares, drop extra ones and make missing ones.",
        )
        action.add_argument("--drop", action="store_true", help="Drop every spare schema.")
        parser.add_argument(
            "--database",
            nargs="+",
            dest="databases",
            metavar="ALIAS",
            help="Only these databases (default: every database tenants are created in).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        databases = options["databases"]
        if databases:
            from django.conf import settings

            unknown = [alias for alias in databases if alias not in settings.DATABASES]
            if unknown:
                raise CommandError(
                    f"--database {' '.join(unknown)}: not in DATABASES "
                    f"(known: {', '.join(settings.DATABASES)})."
                )
        if options["drop"]:
            dropped = drop_spares(databases)
            self.stdout.write(f"Dropped {len(dropped)} spare schema(s).")
            for name in dropped:
                self.stdout.write(f"  {name}")
            return
        if options["fill"]:
            reports = refill_spares(databases)
            if not reports:
                self.stdout.write("TENANTRY_SPARE_SCHEMAS is 0: no pool to fill.")
            for report in reports:
                self.stdout.write(describe_pool(report))
                for schema, error in report.failed:
                    self.stderr.write(f"  {schema}: failed to migrate, dropped: {error}")
            return
        self._status(databases or sorted({*pool_databases(), *tenant_databases()}))

    def _status(self, databases: list[str]) -> None:
        current = get_settings()
        for database in databases:
            spares = list_spares(database)
            fresh = sum(spare.current for spare in spares)
            self.stdout.write(
                f"database {database!r}: {fresh} current of {current.spare_schemas(database)} "
                f"asked for, {len(spares) - fresh} stale"
            )
            for spare in spares:
                state = "current" if spare.current else "stale"
                self.stdout.write(f"  {spare.schema_name}  {state}  ({spare.marker})")
