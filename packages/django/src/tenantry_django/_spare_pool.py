"""The spare schemas of one database: list them, make new ones, bring stale ones up to date,
drop them.

A spare is made the way a new tenant's schema is made today: cloned from the clone reference
when it exists in that database (then migrated if the reference lags), else created and
migrated by the migration engine (:func:`tenantry_django.migration.migrate_new_schema`). Its
marker is written in the same transaction, so a schema that failed halfway never exists, and
one without a marker is never a spare (nothing here touches it). Dropping takes the same
advisory lock as a claim, so a spare being claimed is skipped, never pulled away. Refills
count the pool again under a lock of their own before each spare they make, so refills in
several processes at once never make more than the pool's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import overload

from django.db import connections, transaction

from tenantry import SchemaDescriptor, quote_identifier, quote_literal, tenant_context
from tenantry_django._spare_claim import LOCK_SPACE
from tenantry_django._spare_marker import (
    MARKER_PREFIX,
    SPARE_PREFIX_PATTERN,
    expected_marker,
    marker_source,
    new_spare_name,
    reference_in,
    reference_oid,
)
from tenantry_django.conf import get_settings
from tenantry_django.migration import migrate_new_schema, migrate_schema
from tenantry_django.schemas import (
    clone_schema,
    create_schema,
    refuse_a_tenant_as_clone_reference,
)

__all__ = ["PoolReport", "Spare", "drop_spare", "list_spares", "make_spare", "refresh_pool"]

#: The first key of the advisory lock pool makers take (advisory locks are the database's
#: own: one per database); another space than a spare's own locks (``LOCK_SPACE``).
POOL_LOCK_SPACE = LOCK_SPACE + 1

_LIST = """
    SELECT n.nspname, pg_catalog.obj_description(n.oid, 'pg_namespace'),
           (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = %s)
    FROM pg_catalog.pg_namespace n
    WHERE n.nspname LIKE %s
    ORDER BY n.nspname
"""


@dataclass(frozen=True)
class Spare:
    """One spare schema: where it is, its marker, and whether a claim would take it now."""

    database: str
    schema_name: str
    marker: str
    current: bool
    #: made the way new schemas are made now (same source): migrating it makes it current
    same_source: bool


@dataclass
class PoolReport:
    """What bringing one database's pool to its size did."""

    database: str
    size: int  # the configured size
    created: list[str] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (schema, error)
    current: int = 0  # current spares once done


def list_spares(database: str) -> list[Spare]:
    """The spares of ``database`` (schemas with the spare prefix and a spare's marker)."""
    reference = reference_in(database)
    with tenant_context(None), connections[database].cursor() as cursor:
        cursor.execute(_LIST, [reference, SPARE_PREFIX_PATTERN])
        rows = cursor.fetchall()
    spares = []
    for name, marker, oid in rows:
        if not marker or not marker.startswith(MARKER_PREFIX):
            continue  # not made by the pool: never touched
        source = reference if oid is not None else None
        expected = expected_marker(source, oid)
        same_source = marker.endswith(f"; source {marker_source(source, oid)}")
        spares.append(Spare(database, name, marker, marker == expected, same_source))
    return spares


def _mark(database: str, name: str, marker: str) -> None:
    with connections[database].cursor() as cursor:
        cursor.execute(f"COMMENT ON SCHEMA {quote_identifier(name)} IS {quote_literal(marker)}")


def _pool_is_full(database: str, size: int) -> bool:
    """Whether ``database`` already has ``size`` current spares, asked under the pool's
    advisory lock for this transaction: makers in other processes wait for it, and the
    count sees every spare a maker before committed (no two refills both make the last)."""
    with connections[database].cursor() as cursor:
        cursor.execute("SELECT pg_catalog.pg_advisory_xact_lock(%s, 0)", [POOL_LOCK_SPACE])
    return sum(spare.current for spare in list_spares(database)) >= size


@overload
def make_spare(database: str) -> str: ...
@overload
def make_spare(database: str, *, up_to: int) -> str | None: ...


def make_spare(database: str, *, up_to: int | None = None) -> str | None:
    """Create one current spare in ``database`` (one transaction); its name.

    ``up_to``: only while the pool has fewer current spares than that (None, and nothing
    made, once it has), counted under a lock all such makers take: refills running at once
    in several processes fill the pool to its size, never beyond."""
    name = new_spare_name()
    spare = SchemaDescriptor(name, database)
    reference = reference_in(database)
    with tenant_context(None), transaction.atomic(using=database):
        if up_to is not None and _pool_is_full(database, up_to):
            return None
        oid = reference_oid(database, reference)
        if reference is not None and oid is not None:
            refuse_a_tenant_as_clone_reference()  # its rows would be every tenant's
            clone_schema(reference, name, database)
            migrate_schema(spare, skip_if_current=True)
        else:
            reference = None
            create_schema(name, database)
            migrate_new_schema(spare)
        _mark(database, name, expected_marker(reference, oid))
    return name


def _try_lock(database: str, spare: Spare) -> bool:
    """Take the spare's advisory lock (a claim's) for this transaction, if it is still the
    spare that was listed; False when another transaction holds it or it changed."""
    with connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT pg_catalog.pg_try_advisory_xact_lock(%s, pg_catalog.hashtext(%s)) "
            "AND pg_catalog.obj_description(n.oid, 'pg_namespace') = %s "
            "FROM pg_catalog.pg_namespace n WHERE n.nspname = %s",
            [LOCK_SPACE, spare.schema_name, spare.marker, spare.schema_name],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _upgrade(spare: Spare) -> Spare | None:
    """Migrate a stale spare made from the current source and mark it current; the spare
    now, or None when another run holds it."""
    reference = reference_in(spare.database)
    oid = reference_oid(spare.database, reference)
    with tenant_context(None), transaction.atomic(using=spare.database):
        if not _try_lock(spare.database, spare):
            return None
        migrate_schema(SchemaDescriptor(spare.schema_name, spare.database))
        marker = expected_marker(reference if oid is not None else None, oid)
        _mark(spare.database, spare.schema_name, marker)
    return replace(spare, marker=marker, current=True)


def drop_spare(spare: Spare) -> bool:
    """Drop ``spare`` unless a claim holds it right now; whether it was dropped."""
    from tenantry_django.postgresql.base import DatabaseWrapper  # (imports the backend)

    connection = connections[spare.database]
    with (
        tenant_context(None),
        transaction.atomic(using=spare.database),
        connection.cursor() as cursor,
    ):
        if not _try_lock(spare.database, spare):
            return False
        cursor.execute(f"DROP SCHEMA {quote_identifier(spare.schema_name)} CASCADE")
    if isinstance(connection, DatabaseWrapper):
        connection.tenantry_forget_schema(spare.schema_name)
    return True


def refresh_pool(database: str, *, top_up_only: bool = False) -> PoolReport:
    """Bring ``database``'s pool to its configured size with current spares: stale spares
    made from the current source are migrated (others dropped), spares beyond the size
    dropped, missing ones made. ``top_up_only``: only make missing ones (the background
    refill after a claim: migrating is ``migrate``'s business)."""
    report = PoolReport(database, get_settings().spare_schemas(database))
    current = []
    for spare in list_spares(database):
        if spare.current:
            current.append(spare)
        elif top_up_only:
            continue
        elif spare.same_source:
            try:
                upgraded = _upgrade(spare)
            except Exception as error:  # reported; the spare is never handed out stale
                report.failed.append((spare.schema_name, f"{type(error).__name__}: {error}"))
                if drop_spare(spare):
                    report.dropped.append(spare.schema_name)
            else:
                if upgraded is not None:
                    report.migrated.append(spare.schema_name)
                    current.append(upgraded)
        elif drop_spare(spare):
            report.dropped.append(spare.schema_name)
    for spare in current[report.size :]:
        if not top_up_only and drop_spare(spare):
            report.dropped.append(spare.schema_name)
    kept = min(len(current), report.size) if not top_up_only else len(current)
    for _ in range(report.size - kept):
        made = make_spare(database, up_to=report.size)
        if made is None:  # another refill filled it meanwhile
            break
        report.created.append(made)
    report.current = kept + len(report.created)
    return report
