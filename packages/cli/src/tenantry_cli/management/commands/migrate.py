"""``manage.py migrate``: Django's migrate for the public schema, then every selected tenant
schema through the fleet migrate (``-s``, default ``:all:``), creating missing schemas, then
the clone reference when it exists (not a tenant: never selected, counted or created here),
then the spare schemas when ``TENANTRY_SPARE_SCHEMAS`` is on (migrated and topped up, never
listed as tenants).

With a tenant active (code calling ``call_command("migrate")`` inside a tenant context) it
is Django's migrate for that tenant's schema only. Django's single-database modes (an app
label or migration name, ``--fake``, ``--fake-initial``, ``--plan``, ``--check``,
``--prune``, ``--run-syncdb``, which Django's test runner passes) apply to the public schema
only; tenant schemas are then left alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.management import call_command
from django.core.management.base import CommandParser
from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import DatabaseError

from tenantry import PUBLIC_SCHEMA, Tenant, describe, get_current_tenant
from tenantry_cli._fleet import migrate_fleet
from tenantry_cli._runner import Outcome, fail_if_any_failed, print_summary
from tenantry_cli._selection import (
    add_create_schemas_argument,
    add_executor_argument,
    add_schema_argument,
    select,
)
from tenantry_cli._spares import describe_pool
from tenantry_django.schemas import clone_reference, clone_reference_owner, schema_exists
from tenantry_django.spares import pool_enabled, refill_spares

__all__ = ["Command", "migrate_selection"]

_PUBLIC_ONLY_OPTIONS = (
    "app_label",
    "migration_name",
    "fake",
    "fake_initial",
    "plan",
    "check_unapplied",
    "prune",
    "run_syncdb",
)


class Command(DjangoMigrateCommand):
    help = (
        "Migrate the public schema (as Django's migrate), then every selected tenant schema "
        "(default: all), planning once per migration state and creating missing schemas."
    )

    def __init__(
        self, *args: Any, selection: Sequence[Tenant] | None = None, **kwargs: Any
    ) -> None:
        """``selection``: the tenant schemas to migrate, chosen already (``-s`` is then not
        read); see :func:`migrate_selection`."""
        super().__init__(*args, **kwargs)
        self._selection = None if selection is None else list(selection)

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)  # Django's options, --noinput among them
        add_schema_argument(parser)
        add_executor_argument(parser, default="sequential")
        add_create_schemas_argument(parser)
        parser.add_argument(
            "--skip-public", action="store_true", help="Do not migrate the public schema first."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        if get_current_tenant() is not None:
            # Called with a tenant active (by code written for Django's migrate): that
            # tenant's schema only, exactly as Django would.
            super().handle(*args, **options)
            return
        public_only = [name for name in _PUBLIC_ONLY_OPTIONS if options.get(name)]
        tenants = self._selection
        if tenants is None and not public_only:
            try:  # bad selectors fail before anything is migrated...
                tenants = self._select(options)
            except DatabaseError:  # ...unless the tenant tables do not exist yet
                tenants = None
        if not options["skip_public"]:
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING("Public schema:"))
            super().handle(*args, **options)
        if public_only:
            if verbosity and options.get("schemas"):
                self.stdout.write(
                    f"Tenant schemas not migrated: {', '.join(public_only)} applies to the "
                    "public schema only."
                )
            return
        if tenants is None:
            tenants = self._select(options)
        outcomes: list[Outcome] = []
        if tenants:
            if verbosity:
                self.stdout.write(self.style.MIGRATE_HEADING(f"Tenant schemas ({len(tenants)}):"))
            outcomes = migrate_fleet(
                tenants,
                executor=options["executor"],
                create_schemas=options["create_schemas"],
                progress_stream=self.stderr._out if verbosity else None,
            )
            if verbosity:
                print_summary(outcomes, self.stdout._out)
        fail_if_any_failed([*outcomes, *self._migrate_clone_reference(verbosity)])
        self._refill_spares(verbosity)

    def _migrate_clone_reference(self, verbosity: int) -> list[Outcome]:
        """New tenants are copies of the clone reference: keep it as current as the tenants.

        Only when it exists (``createrefschema`` builds it); it is not a tenant, so it is
        neither selected nor counted, and a reference that is a tenant's schema is left to
        that tenant (tenantry.E022 reports the mistake).
        """
        reference = clone_reference()
        if reference is None or not schema_exists(reference.schema_name, reference.database):
            return []
        owner = clone_reference_owner()
        if owner is not None:
            self.stderr.write(
                f"Clone reference {describe(reference)} not migrated: it is the schema of "
                f"{owner} (tenantry.E022)."
            )
            return []
        (outcome,) = migrate_fleet([reference], executor="sequential", create_schemas=False)
        if verbosity:
            self.stdout.write(self.style.MIGRATE_HEADING("Clone reference:"))
            self.stdout.write(
                f"  {outcome.schema} (clone reference): {outcome.status} "
                f"({outcome.seconds:.2f}s) {outcome.error or outcome.detail}"
            )
        return [outcome]

    def _refill_spares(self, verbosity: int) -> None:
        """Spare schemas (``TENANTRY_SPARE_SCHEMAS``) follow the tenants: stale ones are
        migrated, the pool topped up. They are no tenants: one summary line, no outcomes."""
        if not pool_enabled():
            return
        reports = refill_spares()
        if verbosity and reports:
            self.stdout.write(self.style.MIGRATE_HEADING("Spare schemas:"))
        for report in reports:
            for schema, error in report.failed:
                self.stderr.write(
                    f"Spare schema {schema!r} (database {report.database!r}) failed to migrate "
                    f"and was dropped: {error}"
                )
            if verbosity:
                self.stdout.write(f"  {describe_pool(report)}")

    @staticmethod
    def _select(options: dict[str, Any]) -> list[Tenant]:
        entries = select({**options, "interactive": False}, default=[":all:"])
        return [e.tenant for e in entries if e.tenant.schema_name != PUBLIC_SCHEMA]


def migrate_selection(tenants: Sequence[Tenant], args: Sequence[str], **options: Any) -> None:
    """``migrate`` over ``tenants``, selected already (``runschema -s ... migrate``), with the
    same output: ``args`` are parsed as on migrate's command line, ``options`` as
    ``call_command``'s (``skip_public``, ``executor``, ``stdout``...)."""
    call_command(Command(selection=tenants), *args, **options)
