"""Where schemas stand: the migrations each has recorded, read for a whole fleet at once.

A schema's *state* is the set of migrations its ``django_migrations`` table records. Schemas
in the same state need the same plan, so a fleet's plan is computed once per distinct state;
a schema whose state already holds every migration of the project is up to date and costs
nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from tenantry import Tenant, quote_identifier, quote_literal, tenant_context
from tenantry_django.migration._place import Place
from tenantry_django.migration._plan import MigrationKey, project_migrations

__all__ = ["SchemaState", "is_migrated", "read_states"]

# Schemas per UNION ALL query: big enough for few round trips, small enough to plan fast.
_CHUNK = 400


@dataclass(frozen=True)
class SchemaState:
    exists: bool
    applied: frozenset[MigrationKey] | None  # None: no django_migrations table yet

    def is_up_to_date(self, project: frozenset[MigrationKey]) -> bool:
        """Whether every migration of ``project`` (:func:`project_migrations`) is recorded."""
        return self.applied is not None and project <= self.applied

    def lacking(self, project: frozenset[MigrationKey]) -> list[MigrationKey]:
        """The migrations of ``project`` not recorded here, sorted."""
        return sorted(project - (self.applied or frozenset()))


def _existing(database: str, schemas: Sequence[str]) -> dict[str, bool]:
    """schema -> whether it has a django_migrations table; missing schemas are absent."""
    with tenant_context(None), connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid "
            "AND c.relname = 'django_migrations' AND c.relkind IN ('r', 'p')) "
            "FROM pg_namespace n WHERE n.nspname = ANY(%s)",
            [list(schemas)],
        )
        return {name: bool(has_table) for name, has_table in cursor.fetchall()}


class _Shared:
    """One object for every equal value met while reading a fleet: the migration keys, the
    applied sets (by digest) and the states. Schemas of a fleet mostly share a state, so
    10,000 of them hold a few sets between them instead of one set of fresh ``(app, name)``
    strings each (about 8 KB per schema otherwise, kept for the whole run)."""

    def __init__(self) -> None:
        self.keys: dict[MigrationKey, MigrationKey] = {k: k for k in project_migrations()}
        self.sets: dict[frozenset[MigrationKey], frozenset[MigrationKey]] = {}
        self.digests: dict[str, frozenset[MigrationKey]] = {}
        self.states: dict[SchemaState, SchemaState] = {}

    def applied(self, digest: str, apps: list[str] | None, names: list[str] | None) -> None:
        """Learn the set ``digest`` stands for (sent with the first schema of each digest)."""
        if digest in self.digests or apps is None or names is None:
            return
        keys = (self.keys.setdefault(key, key) for key in zip(apps, names, strict=True))
        applied = frozenset(keys)
        self.digests[digest] = self.sets.setdefault(applied, applied)

    def state(self, exists: bool, applied: frozenset[MigrationKey] | None) -> SchemaState:
        state = SchemaState(exists, applied)
        return self.states.setdefault(state, state)


# Per schema one row: a digest of its recorded migrations; the migrations themselves only on
# the first row of each digest. Sending every (schema, app, name) row instead made a chunk of
# 400 schemas cost ~10 MB of client memory at once (the rows, and libpq's copy of them).
# The digest is of the rows in the order the table holds them (length-prefixed, so no two
# lists encode alike): an equal digest is an equal list, hence an equal set. Sorting each
# schema's rows first would merge more sets but costs 4x the query (a sort per schema);
# schemas migrated alike hold their rows alike, and equal sets are merged in Python anyway.
_APPLIED_QUERY = """
SELECT schema, digest,
       CASE WHEN first THEN apps END, CASE WHEN first THEN names END
FROM (
    SELECT schema, digest, apps, names,
           row_number() OVER (PARTITION BY digest ORDER BY schema) = 1 AS first
    FROM (
        SELECT schema,
               md5(string_agg(length(app) || ':' || app || length(name) || ':' || name, '')
               ) AS digest,
               array_agg(app) AS apps,
               array_agg(name) AS names
        FROM ({rows}) AS recorded
        GROUP BY schema
    ) AS per_schema
) AS numbered
"""


def _applied(
    database: str, schemas: Sequence[str], shared: _Shared
) -> dict[str, frozenset[MigrationKey]]:
    """schema -> the migrations its ``django_migrations`` records (each schema given has one)."""
    found: dict[str, frozenset[MigrationKey]] = {}
    for start in range(0, len(schemas), _CHUNK):
        chunk = schemas[start : start + _CHUNK]
        rows = " UNION ALL ".join(
            f"SELECT {quote_literal(schema)}::text AS schema, app, name "
            f"FROM {quote_identifier(schema)}.django_migrations"
            for schema in chunk
        )
        digests: dict[str, str] = {}
        with tenant_context(None), connections[database].cursor() as cursor:
            cursor.execute(_APPLIED_QUERY.format(rows=rows))
            for schema, digest, apps, names in cursor.fetchall():
                shared.applied(digest, apps, names)
                digests[schema] = digest
        for schema in chunk:  # an empty table records nothing: no row at all
            digest = digests.get(schema)
            found[schema] = frozenset() if digest is None else shared.digests[digest]
    return found


def _read_database(database: str, schemas: list[str], shared: _Shared) -> dict[Place, SchemaState]:
    existing = _existing(database, schemas)
    applied = _applied(database, [s for s in schemas if existing.get(s)], shared)
    return {
        Place(database, schema): shared.state(schema in existing, applied.get(schema))
        for schema in schemas
    }


def read_states(places: Iterable[Place]) -> dict[Place, SchemaState]:
    """Every place's state, over any number of databases: two queries per 400 schemas of
    each database."""
    wanted = list(dict.fromkeys(places))
    states: dict[Place, SchemaState] = {}
    shared = _Shared()
    for database in dict.fromkeys(place.database for place in wanted):
        schemas = [place.schema_name for place in wanted if place.database == database]
        states.update(_read_database(database, schemas, shared))
    return states


def is_migrated(tenant: Tenant) -> bool:
    """Whether the tenant's schema has recorded every migration the project has."""
    with tenant_context(tenant):
        recorder = MigrationRecorder(connections[tenant.database])
        if not recorder.has_table():
            return False
        return project_migrations() <= set(recorder.applied_migrations())
