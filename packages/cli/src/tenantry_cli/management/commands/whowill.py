"""``manage.py whowill -s SCHEMA...``: which tenants a selection means, changing nothing.

A dry run for ``runschema`` and friends: the same selectors, one line per tenant with its
kind, schema, database, domains and whether its schema exists yet.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand

from tenantry import CatalogEntry
from tenantry_cli._selection import add_noinput_argument, add_schema_argument, select
from tenantry_django.schemas import schema_exists

__all__ = ["Command"]

COLUMNS = ("KIND", "SCHEMA", "DATABASE", "SCHEMA EXISTS", "DOMAINS")


def describe_entry(entry: CatalogEntry) -> tuple[str, ...]:
    tenant = entry.tenant
    exists = schema_exists(tenant.schema_name, tenant.database)
    return (
        entry.kind.value,
        entry.key,
        tenant.database,
        "yes" if exists else "no (would be created)",
        ", ".join(entry.domains) or "-",
    )


def format_rows(rows: list[tuple[str, ...]]) -> Iterator[str]:
    """Rows as left-aligned columns; the last column is never padded. One line at a time:
    the lines of 10,000 tenants are written as made, never all kept."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        yield "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]])


class Command(BaseCommand):
    help = (
        "Show which tenants -s selects (kind, schema, database, domains, whether the schema "
        "exists) without running or changing anything."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_schema_argument(parser)
        add_noinput_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        entries = select(options)
        rows = [COLUMNS, *(describe_entry(entry) for entry in entries)]
        for line in format_rows(rows):
            self.stdout.write(line.rstrip())
        self.stderr.write(f"{len(entries)} tenant(s) selected; nothing was run or changed.")
