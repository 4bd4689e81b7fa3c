"""Clone a schema, structure and data, by reading the catalog once and replaying it.

Definitions are read with the source schema at the head of the search path, so PostgreSQL
prints names of the source's own objects unqualified; they are replayed with the target at
the head, so the same text now means the target's objects (and shared tables in ``public``
mean the same shared tables). Names of constraints, indexes and sequences are kept, so later
migrations that refer to them by name work on clones exactly as on migrated schemas.

Covered: tables (columns, defaults, identity, generated columns, checks, not-null, storage,
comments), sequences (serial and identity, with their values), primary/unique/exclusion/
foreign keys, indexes, views and materialized views, and every row. Not covered: functions,
triggers, types and privileges defined inside the schema (Django migrations create none).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections

from tenantry import SchemaDescriptor, quote_identifier, quote_literal, tenant_context
from tenantry_django.schemas import create_schema

__all__ = ["clone_schema"]

_NS = "pg_catalog.current_schema()::regnamespace"

_TABLES = f"""
    SELECT c.relname,
           array_agg(a.attname ORDER BY a.attnum) FILTER (
               WHERE a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '')
    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid
    WHERE c.relnamespace = {_NS} AND c.relkind = 'r'
    GROUP BY c.oid, c.relname ORDER BY c.oid
"""
_SEQUENCES = f"""
    SELECT c.relname, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmax,
           s.seqmin, s.seqcache, s.seqcycle, owner.deptype, owner.relname, owner.attname
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
    LEFT JOIN LATERAL (
        SELECT d.deptype, t.relname, a.attname FROM pg_depend d
        JOIN pg_class t ON t.oid = d.refobjid
        JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
          AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LIMIT 1
    ) owner ON true
    WHERE c.relnamespace = {_NS} ORDER BY c.oid
"""
_SEQUENCE_DEFAULTS = f"""
    SELECT t.relname, a.attname, pg_get_expr(ad.adbin, ad.adrelid)
    FROM pg_attrdef ad
    JOIN pg_class t ON t.oid = ad.adrelid
    JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
    WHERE t.relnamespace = {_NS} AND EXISTS (
        SELECT 1 FROM pg_depend d JOIN pg_class s ON s.oid = d.refobjid
        WHERE d.classid = 'pg_attrdef'::regclass AND d.objid = ad.oid
          AND d.refclassid = 'pg_class'::regclass AND s.relkind = 'S')
    ORDER BY t.oid, a.attnum
"""
_CONSTRAINTS = f"""
    SELECT t.relname, con.conname, pg_get_constraintdef(con.oid)
    FROM pg_constraint con JOIN pg_class t ON t.oid = con.conrelid
    WHERE con.connamespace = {_NS} AND con.contype IN ('p', 'u', 'x', 'f') AND t.relkind = 'r'
    ORDER BY CASE con.contype WHEN 'f' THEN 1 ELSE 0 END, con.oid
"""
_INDEXES = f"""
    SELECT pg_get_indexdef(i.indexrelid), format('%I.%I', n.nspname, t.relname)
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE t.relnamespace = {_NS} AND t.relkind = 'r' AND NOT EXISTS (
        SELECT 1 FROM pg_constraint con
        WHERE con.conindid = i.indexrelid AND con.conrelid = i.indrelid
          AND con.contype IN ('p', 'u', 'x'))
    ORDER BY i.indexrelid
"""
_VIEWS = f"""
    SELECT c.relname, c.relkind, pg_get_viewdef(c.oid)
    FROM pg_class c WHERE c.relnamespace = {_NS} AND c.relkind IN ('v', 'm') ORDER BY c.oid
"""
_LIKE = (
    "INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING GENERATED INCLUDING CONSTRAINTS "
    "INCLUDING STORAGE INCLUDING COMMENTS INCLUDING COMPRESSION INCLUDING STATISTICS"
)


@dataclass(frozen=True)
class _Catalog:
    tables: list[tuple[str, list[str]]]
    sequences: list[tuple[Any, ...]]
    sequence_defaults: list[tuple[str, str, str]]
    constraints: list[tuple[str, str, str]]
    indexes: list[tuple[str, str]]
    views: list[tuple[str, str, str]]


def _read_catalog(database: str) -> _Catalog:
    with connections[database].cursor() as cursor:

        def rows(query: str) -> list[Any]:
            cursor.execute(query)
            return list(cursor.fetchall())

        return _Catalog(
            tables=[(name, list(columns or [])) for name, columns in rows(_TABLES)],
            sequences=rows(_SEQUENCES),
            sequence_defaults=rows(_SEQUENCE_DEFAULTS),
            constraints=rows(_CONSTRAINTS),
            indexes=rows(_INDEXES),
            views=rows(_VIEWS),
        )


class _Names:
    """Quoted names of objects in the source and in the target schema."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = quote_identifier(source), quote_identifier(target)

    def src(self, name: str) -> str:
        return f"{self.source}.{quote_identifier(name)}"

    def dst(self, name: str) -> str:
        return f"{self.target}.{quote_identifier(name)}"


def _number(value: Any) -> str:
    return str(int(value))  # (a sequence's parameters are bigints)


def _structure(catalog: _Catalog, names: _Names) -> Iterator[str]:
    """Sequences not made by LIKE, the tables, and the sequences' ties to their columns."""
    dst = names.dst
    owned = [s for s in catalog.sequences if s[8] != "i"]  # identity ones come with LIKE
    for name, type_, start, increment, maximum, minimum, cache, cycle, *_ in owned:
        yield (
            f"CREATE SEQUENCE {dst(name)} AS {type_} INCREMENT BY {_number(increment)} "
            f"MINVALUE {_number(minimum)} MAXVALUE {_number(maximum)} "
            f"START WITH {_number(start)} CACHE {_number(cache)} "
            f"{'CYCLE' if cycle else 'NO CYCLE'}"
        )
    for table, _ in catalog.tables:
        yield f"CREATE TABLE {dst(table)} (LIKE {names.src(table)} {_LIKE})"
    for table, column, expression in catalog.sequence_defaults:
        yield (
            f"ALTER TABLE {dst(table)} ALTER COLUMN {quote_identifier(column)} "
            f"SET DEFAULT {expression}"
        )
    for name, *_, deptype, table, column in owned:
        if deptype == "a":
            yield f"ALTER SEQUENCE {dst(name)} OWNED BY {dst(table)}.{quote_identifier(column)}"


def _rows(catalog: _Catalog, names: _Names) -> Iterator[str]:
    """Every row, then every sequence where the source's stands."""
    for table, columns in catalog.tables:
        if columns:
            listed = ", ".join(quote_identifier(c) for c in columns)
            yield (
                f"INSERT INTO {names.dst(table)} ({listed}) OVERRIDING SYSTEM VALUE "
                f"SELECT {listed} FROM {names.src(table)}"
            )
    for name, *_, deptype, table, column in catalog.sequences:
        target_sequence = (
            f"pg_get_serial_sequence({quote_literal(names.dst(table))}, {quote_literal(column)})"
            if deptype == "i"
            else quote_literal(names.dst(name))
        )
        yield f"SELECT setval({target_sequence}, last_value, is_called) FROM {names.src(name)}"


def _retargeted_index(definition: str, qualified_table: str, target: str) -> str:
    # pg_get_indexdef names the table schema-qualified; point it at the target.
    table = qualified_table.partition(".")[2]
    return definition.replace(
        f" ON {qualified_table} USING ", f" ON {target}.{table} USING ", 1
    ).replace(f" ON ONLY {qualified_table} USING ", f" ON ONLY {target}.{table} USING ", 1)


def _after_rows(catalog: _Catalog, names: _Names) -> Iterator[str]:
    """Constraints and indexes (built once the rows are in), then views."""
    for table, name, definition in catalog.constraints:
        yield f"ALTER TABLE {names.dst(table)} ADD CONSTRAINT {quote_identifier(name)} {definition}"
    for definition, qualified_table in catalog.indexes:
        yield _retargeted_index(definition, qualified_table, names.target)
    for name, kind, definition in catalog.views:
        keyword = "MATERIALIZED VIEW" if kind == "m" else "VIEW"
        yield f"CREATE {keyword} {names.dst(name)} AS {definition.rstrip().rstrip(';')}"


def _statements(catalog: _Catalog, source: str, target: str) -> list[str]:
    names = _Names(source, target)
    return [
        *_structure(catalog, names),
        *_rows(catalog, names),
        *_after_rows(catalog, names),
    ]


def clone_schema(source: str, target: str, database: str) -> None:
    """Create ``target`` as a copy of ``source``; run it inside a transaction."""
    connection = connections[database]
    with tenant_context(SchemaDescriptor(source, database)):
        catalog = _read_catalog(database)
    create_schema(target, database)
    statements = _statements(catalog, source, target)
    with tenant_context(SchemaDescriptor(target, database)), connection.cursor() as cursor:
        if connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            for statement in statements:  # server-side binding takes one statement at a time
                cursor.execute(statement)
        elif statements:
            cursor.execute(";\n".join(statements))
