"""``manage.py flush [--all-schemas]``: Django's flush, never emptying a tenant by surprise.

Without ``--all-schemas``, a flush of public that would have to empty tenant tables (tables
of other schemas referencing public's, such as a note's author) refuses and names them;
nothing is flushed. With it, every schema of the database goes in the same transaction: the
schemas of the dynamic tenants whose rows the flush deletes are dropped, every other schema
holding the project's tables (static tenants, the clone reference) is emptied with public.
With a tenant active (``runschema -s ... flush``) it is Django's flush of that schema.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.core.management.commands.flush import Command as DjangoFlushCommand

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django.errors import FlushRefusedError
from tenantry_django.schemas import every_schema_flush_plan, flushing_every_schema

__all__ = ["Command"]

_SHOWN = 20


def _listed(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", ... (+{len(names) - _SHOWN})" if len(names) > _SHOWN else "")


class Command(DjangoFlushCommand):
    help = (
        f"{DjangoFlushCommand.help} Refuses when tenant tables reference public's tables, "
        "unless --all-schemas."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--all-schemas",
            action="store_true",
            help="Flush every schema of the database with public: drop the schemas of the "
            "dynamic tenants whose rows go, empty the static tenants' schemas and the clone "
            "reference.",
        )

    def handle(self, **options: Any) -> None:
        all_schemas = options.get("all_schemas", False)
        tenant = get_current_tenant()
        if all_schemas and tenant is not None and tenant.schema_name != PUBLIC_SCHEMA:
            raise CommandError(
                f"--all-schemas flushes from the public schema, but tenant "
                f"{tenant.schema_name!r} is active; nothing was flushed."
            )
        if not all_schemas:
            try:
                super().handle(**options)
            except CommandError as error:
                # Django words every failure as "couldn't be flushed. Possible reasons: ...";
                # the refusal says exactly which tables and what to run instead.
                if isinstance(error.__cause__, FlushRefusedError):
                    raise CommandError(str(error.__cause__)) from error.__cause__
                raise
            return
        if options["verbosity"] >= 1:
            self._describe(options["database"])
        with flushing_every_schema():
            super().handle(**options)

    def _describe(self, database: str) -> None:
        plan = every_schema_flush_plan(database)
        self.stdout.write(f"Flushing every schema of database {database!r} with public:")
        if plan.dropped:
            self.stdout.write(
                f"  drops the schemas of {len(plan.dropped)} dynamic tenant(s), whose rows "
                f"go with public's: {_listed(list(plan.dropped))}"
            )
        if plan.emptied_schemas:
            self.stdout.write(
                f"  empties {len(plan.emptied_schemas)} other schema(s): "
                f"{_listed(list(plan.emptied_schemas))}"
            )
        if not plan.dropped and not plan.emptied_schemas:
            self.stdout.write("  no other schema holds the project's tables")
