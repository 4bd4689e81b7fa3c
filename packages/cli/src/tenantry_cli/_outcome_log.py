"""Each schema's latest migrate outcome, written in batches to the public schema."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections
from django.utils import timezone

from tenantry import tenant_context
from tenantry_cli._runner import Outcome
from tenantry_django.schemas import public_database

_BATCH = 200


def _table_ready() -> bool:
    from tenantry_cli.models import SchemaMigrationOutcome

    database = public_database()
    with tenant_context(None):
        return (
            SchemaMigrationOutcome._meta.db_table
            in connections[database].introspection.table_names()
        )


class OutcomeLog:
    """Buffers outcomes and upserts them ``_BATCH`` at a time (and at the end).

    A run killed mid-way loses at most the last batch of notes, never a schema's migration;
    the next run records it again. Without the ``tenantry_cli`` tables (not migrated yet)
    nothing is written.
    """

    def __init__(self, places: dict[str, tuple[str, str]]) -> None:
        self._places = places  # outcome label -> (database, schema)
        self._pending: list[Outcome] = []
        self._enabled = _table_ready()

    def add(self, outcome: Outcome) -> None:
        if not self._enabled:
            return
        self._pending.append(outcome)
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        from tenantry_cli.models import SchemaMigrationOutcome

        if not self._pending:
            return
        now = timezone.now()
        rows = []
        latest = {outcome.schema: outcome for outcome in self._pending}  # one row per schema
        for outcome in latest.values():
            database, schema = self._places[outcome.schema]
            rows.append(
                SchemaMigrationOutcome(
                    database=database,
                    schema_name=schema,
                    status=outcome.status,
                    detail=outcome.detail,
                    error=outcome.error,
                    seconds=outcome.seconds,
                    finished_at=now,
                )
            )
        self._pending = []
        with tenant_context(None):
            SchemaMigrationOutcome.objects.using(public_database()).bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["database", "schema_name"],
                update_fields=["status", "detail", "error", "seconds", "finished_at"],
            )


def last_outcomes(places: Sequence[tuple[str, str]]) -> dict[tuple[str, str], object]:
    """(database, schema) -> the recorded outcome row, for the status view."""
    from tenantry_cli.models import SchemaMigrationOutcome

    if not _table_ready():
        return {}
    schemas = {schema for _, schema in places}
    with tenant_context(None):
        rows = SchemaMigrationOutcome.objects.using(public_database()).filter(
            schema_name__in=schemas
        )
        return {(row.database, row.schema_name): row for row in rows}
