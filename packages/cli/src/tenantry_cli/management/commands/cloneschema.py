"""``manage.py cloneschema SOURCE TARGET [--database ALIAS]``: copy a schema into a new one.

Structure and rows are copied in one transaction: either TARGET is a complete copy or it
does not exist. No tenant row is created; this is the schema-level tool. TARGET may not be a
tenant's schema (a row whose schema is missing, a static key): that tenant would start out
with another schema's rows.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenantry import DEFAULT_DATABASE, SchemaNameError, validate_schema_name
from tenantry_django.schemas import clone_schema, schema_exists, schema_owner

__all__ = ["Command"]


class Command(BaseCommand):
    help = "Copy schema SOURCE (tables, sequences, indexes, views and rows) into a new TARGET."

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("source", help="The schema to copy.")
        parser.add_argument("target", help="The new schema; must not exist yet.")
        parser.add_argument(
            "--database",
            default=DEFAULT_DATABASE,
            help=f"The database alias both schemas live in (default {DEFAULT_DATABASE!r}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source, target, database = options["source"], options["target"], options["database"]
        if database not in settings.DATABASES:
            raise CommandError(
                f"Unknown database {database!r}; configured: {', '.join(settings.DATABASES)}."
            )
        for role, name in (("source", source), ("target", target)):
            try:
                validate_schema_name(name)
            except SchemaNameError as error:
                raise CommandError(f"Cannot use {name!r} as the {role}: {error.reason}.") from error
        with transaction.atomic(using=database):
            if not schema_exists(source, database):
                raise CommandError(f"Source schema {source!r} does not exist in {database!r}.")
            if schema_exists(target, database):
                raise CommandError(
                    f"Target schema {target!r} already exists in {database!r}; nothing was "
                    "copied. Choose a new name or drop it first."
                )
            owner = schema_owner(target, database)
            if owner is not None:
                raise CommandError(
                    f"Target schema {target!r} in {database!r} belongs to {owner}; nothing "
                    "was copied: the tenant would start out with the rows of "
                    f"{source!r}. Create its schema with `manage.py migrate -s {target}`."
                )
            clone_schema(source, target, database)
        self.stdout.write(f"Cloned schema {source!r} into {target!r} in database {database!r}.")
