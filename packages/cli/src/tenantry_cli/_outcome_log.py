"""Each schema's latest migrate outcome, written in batches to the public schema."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import connections
from django.utils import timezone

from tenantry import tenant_context
from tenantry_cli._runner import Outcome
from tenantry_django.conf import get_settings
from tenantry_django.migration import Place

if TYPE_CHECKING:
    from tenantry_cli.models import SchemaMigrationOutcome

__all__ = ["OutcomeLog", "last_outcomes"]

_BATCH = 200


def _public_database() -> str:
    return get_settings().tenants.public_database


def _table_ready() -> bool:
    from tenantry_cli.models import SchemaMigrationOutcome

    database = _public_database()
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

    def __init__(self) -> None:
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
        latest = {outcome.key: outcome for outcome in self._pending}  # one row per schema
        for place, outcome in latest.items():
            rows.append(
                SchemaMigrationOutcome(
                    database=place.database,
                    schema_name=place.schema_name,
                    status=outcome.status,
                    detail=outcome.detail,
                    error=outcome.error,
                    seconds=outcome.seconds,
                    finished_at=now,
                )
            )
        self._pending = []
        with tenant_context(None):
            SchemaMigrationOutcome.objects.using(_public_database()).bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["database", "schema_name"],
                update_fields=["status", "detail", "error", "seconds", "finished_at"],
            )


def last_outcomes(places: Sequence[Place]) -> dict[Place, SchemaMigrationOutcome]:
    """Each place's recorded outcome row, for the status view."""
    from tenantry_cli.models import SchemaMigrationOutcome

    if not _table_ready():
        return {}
    schemas = {place.schema_name for place in places}
    with tenant_context(None):
        rows = SchemaMigrationOutcome.objects.using(_public_database()).filter(
            schema_name__in=schemas
        )
        return {Place(row.database, row.schema_name): row for row in rows}
