"""Each schema's latest migrate outcome, written in batches to the public schema."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from django.db import connections
from django.utils import timezone

from tenantry import tenant_context
from tenantry_cli._runner import Outcome
from tenantry_django.conf import get_settings
from tenantry_django.migration import Place

__all__ = ["LastOutcome", "OutcomeLog", "last_outcomes"]

_BATCH = 200
_READ_CHUNK = 1000  # schemas whose outcomes one query reads


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


class LastOutcome(NamedTuple):
    """What the status view shows of a schema's recorded outcome."""

    status: str
    finished_at: datetime
    error: str


def last_outcomes(places: Sequence[Place]) -> dict[Place, LastOutcome]:
    """Each place's recorded outcome, for the status view.

    Only the three values shown, and one tuple for equal ones (a run records its schemas 200
    at a time with one timestamp): 10,000 places hold a few hundred tuples, not 10,000 rows.
    """
    from tenantry_cli.models import SchemaMigrationOutcome

    if not _table_ready():
        return {}
    wanted = {place: place for place in places}  # the callers' places are the keys
    schemas = sorted({place.schema_name for place in wanted})
    shared: dict[LastOutcome, LastOutcome] = {}
    found: dict[Place, LastOutcome] = {}
    table = SchemaMigrationOutcome.objects.using(_public_database()).values_list(
        "database", "schema_name", "status", "finished_at", "error"
    )
    for start in range(0, len(schemas), _READ_CHUNK):  # rows in memory at once: bounded
        chunk = schemas[start : start + _READ_CHUNK]
        with tenant_context(None):
            rows = list(table.filter(schema_name__in=chunk))
        for database, schema_name, status, finished_at, error in rows:
            place = wanted.get(Place(database, schema_name))
            if place is not None:
                last = LastOutcome(status, finished_at, error)
                found[place] = shared.setdefault(last, last)
    return found
