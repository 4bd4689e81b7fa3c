"""Proof, in SQL on a connection of its own, that every schema of the fleet is migrated.

Every schema must hold every inventory table and the view of migration 0018, the rows of
the data migration, and exactly the expected number of inventory migrations recorded; public
must hold none of it. (django-pgschemas 1.1.0's parallel executor, for one, never reads its
threads' results: a failed schema would otherwise go unnoticed; 1.3.2 reports them.)
"""

from __future__ import annotations

from benchmarks.driver import Connection, connect, quote_identifier

SEED_TAGS = 3  # rows inserted by migration 0017


def verify(url: str, schemas: list[str], tables: set[str], migrations: int, added: bool) -> None:
    with connect(url) as connection:
        problems = _tables(connection, schemas, tables)
        if not problems:
            problems = _rows(connection, schemas, migrations)
        if not problems and added:
            problems = _added_column(connection, schemas)
    if problems:
        shown = "\n  ".join(problems[:10])
        raise SystemExit(f"verification failed ({len(problems)} problems):\n  {shown}")


def _tables(connection: Connection, schemas: list[str], tables: set[str]) -> list[str]:
    found: dict[str, set[str]] = {}
    rows = connection.execute(
        "SELECT schemaname, tablename FROM pg_tables WHERE tablename = ANY(%(t)s) "
        "UNION ALL SELECT schemaname, viewname FROM pg_views WHERE viewname = ANY(%(t)s)",
        {"t": [*tables, "inventory_stock_totals"]},
    )
    for schema, table in rows:
        found.setdefault(schema, set()).add(table)
    outside = sorted(set(found) - set(schemas))  # public above all
    problems = [f"{schema}: inventory tables outside the fleet" for schema in outside]
    expected = {*tables, "inventory_stock_totals"}
    for schema in schemas:
        missing = expected - found.get(schema, set())
        if missing:
            problems.append(f"{schema}: missing {sorted(missing)[:5]} ({len(missing)} in all)")
    return problems


SCHEMAS_PER_QUERY = 500  # one UNION ALL over this many schemas: 10,000 schemas, 20 queries


def _rows(connection: Connection, schemas: list[str], migrations: int) -> list[str]:
    problems = []
    query = (
        "SELECT {1}, (SELECT count(*) FROM {0}.django_migrations WHERE app = 'inventory'), "
        "(SELECT count(*) FROM {0}.inventory_tag)"
    )
    for start in range(0, len(schemas), SCHEMAS_PER_QUERY):
        batch = schemas[start : start + SCHEMAS_PER_QUERY]
        union = " UNION ALL ".join(
            query.format(quote_identifier(schema), f"'{schema}'") for schema in batch
        )  # the fleet's names are t0000-style: nothing to escape in the literal
        for schema, *counts in connection.execute(union).fetchall():
            row = tuple(counts)
            if row != (migrations, SEED_TAGS):
                problems.append(
                    f"{schema}: (inventory migrations recorded, seed tags) = {row}, "
                    f"expected {(migrations, SEED_TAGS)}"
                )
    return problems


def _added_column(connection: Connection, schemas: list[str]) -> list[str]:
    rows = connection.execute(
        "SELECT table_schema FROM information_schema.columns WHERE table_name = "
        "'inventory_product' AND column_name = 'weight_grams' AND table_schema = ANY(%s)",
        [schemas],
    )
    missing = set(schemas) - {schema for (schema,) in rows}
    return [f"{schema}: no inventory_product.weight_grams" for schema in sorted(missing)]
