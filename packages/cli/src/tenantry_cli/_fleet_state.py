"""Where every schema of a fleet stands, read with a few catalog queries for all of them.

A schema's *state* is the set of migrations its ``django_migrations`` table records. Schemas
in the same state need the same plan, so the plan is computed once per distinct state; a
schema whose state already holds every migration of the project is up to date and costs
nothing more.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connections

from tenantry import Tenant, quote_identifier, quote_literal, tenant_context

Migration = tuple[str, str]  # (app label, migration name)
# Schemas per UNION ALL query: big enough for few round trips, small enough to plan fast.
_CHUNK = 400


@dataclass(frozen=True)
class SchemaState:
    exists: bool
    applied: frozenset[Migration] | None  # None: no django_migrations table yet


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


def _applied(database: str, schemas: Sequence[str]) -> dict[str, set[Migration]]:
    found: dict[str, set[Migration]] = {schema: set() for schema in schemas}
    for start in range(0, len(schemas), _CHUNK):
        chunk = schemas[start : start + _CHUNK]
        query = " UNION ALL ".join(
            f"SELECT {quote_literal(schema)}::text, app, name "
            f"FROM {quote_identifier(schema)}.django_migrations"
            for schema in chunk
        )
        with tenant_context(None), connections[database].cursor() as cursor:
            cursor.execute(query)
            for schema, app, name in cursor.fetchall():
                found[schema].add((app, name))
    return found


def read_states(database: str, schemas: Iterable[str]) -> dict[str, SchemaState]:
    """Every schema's state in ``database``: two queries per 400 schemas."""
    wanted = list(dict.fromkeys(schemas))
    existing = _existing(database, wanted)
    applied = _applied(database, [s for s in wanted if existing.get(s)])
    return {
        schema: SchemaState(
            exists=schema in existing,
            applied=frozenset(applied[schema]) if schema in applied else None,
        )
        for schema in wanted
    }


def read_fleet_states(tenants: Iterable[Tenant]) -> dict[tuple[str, str], SchemaState]:
    """(database, schema) -> state, for tenants spread over any number of databases."""
    places = list(dict.fromkeys((t.database, t.schema_name) for t in tenants))
    states: dict[tuple[str, str], SchemaState] = {}
    for database in dict.fromkeys(database for database, _ in places):
        schemas = [schema for db, schema in places if db == database]
        for schema, state in read_states(database, schemas).items():
            states[(database, schema)] = state
    return states
