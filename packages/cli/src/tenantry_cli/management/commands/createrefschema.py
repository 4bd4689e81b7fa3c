"""``manage.py createrefschema [--recreate]``: build and migrate the clone reference.

New tenants are copied from ``TENANTS["default"]["CLONE_REFERENCE"]`` when that schema
exists, which is much faster than migrating each one. A reference that names a tenant's
schema is refused before anything is dropped or migrated (tenantry.E022 reports it too).
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenantry import describe
from tenantry_django.migration import is_migrated
from tenantry_django.schemas import (
    clone_reference,
    clone_reference_owner,
    create_clone_reference,
    drop_schema,
    schema_exists,
)

__all__ = ["Command"]


class Command(BaseCommand):
    help = (
        'Create (if missing) and migrate the schema TENANTS["default"]["CLONE_REFERENCE"] '
        "that new tenants are cloned from."
    )

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--recreate",
            action="store_true",
            help="Drop the reference schema (and everything in it) and build it again.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reference = clone_reference()
        if reference is None:
            raise CommandError(
                'No clone reference configured: set TENANTS["default"]["CLONE_REFERENCE"] to '
                'the schema new tenants are cloned from, e.g. "sample".'
            )
        name = describe(reference)
        owner = clone_reference_owner()
        if owner is not None:
            raise CommandError(
                f'TENANTS["default"]["CLONE_REFERENCE"] names schema '
                f"{reference.schema_name!r}, which belongs to {owner}; nothing was dropped or "
                "migrated. Point CLONE_REFERENCE at a schema no tenant uses (tenantry.E022)."
            )
        # One transaction: a failed rebuild leaves the previous reference in place.
        with transaction.atomic(using=reference.database):
            existed = schema_exists(reference.schema_name, reference.database)
            if existed and options["recreate"]:
                drop_schema(reference.schema_name, reference.database)
                self.stdout.write(f"Dropped clone reference {name}.")
                existed = False
            was_current = existed and is_migrated(reference)
            create_clone_reference(verbosity=options["verbosity"])
        if not existed:
            self.stdout.write(f"Created and migrated clone reference {name}.")
        elif was_current:
            self.stdout.write(f"Clone reference {name} is already up to date; nothing to do.")
        else:
            self.stdout.write(f"Migrated clone reference {name}.")
