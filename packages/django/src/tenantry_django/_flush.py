"""Flushing public without emptying tenants by surprise.

PostgreSQL truncates a table that another table references only when that table is
truncated in the same statement, or emptied by ``CASCADE``. Tenant apps' tables often
reference shared ones (a note's author is a user), so Django's flush of public would fail
with a bare "cannot truncate a table referenced in a foreign key constraint". The backend
names those tables and refuses before running anything, unless the caller allowed cascading
(as with the stock backend) or asked for every schema with :func:`flushing_every_schema`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError

from tenantry import PUBLIC_SCHEMA, get_current_tenant, quote_identifier
from tenantry_django.conf import get_settings
from tenantry_django.errors import FlushRefusedError

__all__ = [
    "EverySchemaPlan",
    "ForeignReference",
    "every_schema",
    "every_schema_plan",
    "every_schema_statements",
    "flushing_every_schema",
    "flushing_public",
    "foreign_references",
    "qualified",
    "refusal",
    "sql_flush_every_schema",
]

_every_schema: ContextVar[bool] = ContextVar("tenantry_flush_every_schema", default=False)
_SHOWN = 10  # tables named in a refusal; the rest are counted

_FOREIGN_REFERENCES = """
    SELECT DISTINCT n.nspname, referencing.relname, referenced.relname
    FROM pg_constraint con
    JOIN pg_class referenced ON referenced.oid = con.confrelid
    JOIN pg_class referencing ON referencing.oid = con.conrelid
    JOIN pg_namespace n ON n.oid = referencing.relnamespace
    WHERE con.contype = 'f'
      AND referenced.relnamespace = pg_catalog.current_schema()::regnamespace
      AND referenced.relname = ANY(%s)
      AND referencing.relnamespace <> referenced.relnamespace
    ORDER BY 1, 2, 3
"""
_OTHER_SCHEMAS_TABLES = """
    SELECT n.nspname, c.relname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(%s)
      AND n.nspname <> pg_catalog.current_schema()
      AND n.nspname NOT LIKE 'pg\\_%%' AND n.nspname <> 'information_schema'
      AND n.nspname <> ALL(%s)
    ORDER BY 1, 2
"""


@contextmanager
def flushing_every_schema() -> Iterator[None]:
    """Within it, a flush of public (Django's ``flush`` command, ``TransactionTestCase``)
    covers every schema of that database, in the flush's one transaction: the schemas of the
    dynamic tenants whose rows it deletes are dropped, every other schema holding the
    project's tables (static tenants, the clone reference) is emptied along with public."""
    token = _every_schema.set(True)
    try:
        yield
    finally:
        _every_schema.reset(token)


@dataclass(frozen=True)
class ForeignReference:
    """A table of another schema that references one of public's tables."""

    schema: str
    table: str
    referenced: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.table} (references {self.referenced})"


@dataclass(frozen=True)
class EverySchemaPlan:
    """What a flush of every schema does beyond public's tables."""

    dropped: tuple[str, ...]  # schemas of the dynamic tenants whose rows the flush deletes
    emptied: tuple[tuple[str, str], ...]  # (schema, table) truncated along with public

    @property
    def emptied_schemas(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(schema for schema, _ in self.emptied))


def flushing_public() -> bool:
    tenant = get_current_tenant()
    return tenant is None or tenant.schema_name == PUBLIC_SCHEMA


def foreign_references(connection: Any, tables: Sequence[str]) -> list[ForeignReference]:
    """Tables of other schemas referencing any of ``tables`` (in the connection's current
    schema); PostgreSQL refuses to truncate ``tables`` without them."""
    with connection.cursor() as cursor:
        cursor.execute(_FOREIGN_REFERENCES, [list(tables)])
        return [ForeignReference(*row) for row in cursor.fetchall()]


def refusal(connection: Any, references: Sequence[ForeignReference]) -> FlushRefusedError:
    shown = ", ".join(map(str, references[:_SHOWN]))
    if len(references) > _SHOWN:
        shown += f", and {len(references) - _SHOWN} more"
    return FlushRefusedError(
        f"Flushing the public schema of database {connection.alias!r} would have to empty "
        f"tables of other schemas that reference its tables: {shown}. Nothing was flushed. "
        "Run `manage.py flush --all-schemas` (tenantry_cli) to empty every schema along with "
        "public and drop the schemas of the dynamic tenants whose rows go; in tests use "
        "tenantry_django.testing.TenantTransactionTestCase or the pytest fixtures, which do so."
    )


def _model_tables() -> list[str]:
    # Every managed model's table, whichever schema the router puts it in: what Django's
    # flush empties in public, and what it would empty in each tenant schema.
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )


def _dropped_tenant_schemas(connection: Any, tables: Sequence[str]) -> list[str]:
    """Schemas (in this database) of the dynamic tenants whose rows this flush deletes."""
    config = get_settings().tenants
    if config.dynamic is None or connection.alias != config.public_database:
        return []
    model = apps.get_model(config.dynamic.tenant_model)
    if model._meta.db_table not in tables:
        return []
    try:
        rows = model._default_manager.using(connection.alias).values_list("schema_name", "database")
        return sorted(schema for schema, database in rows if database == connection.alias)
    except DatabaseError:  # pragma: no cover - the table is listed as existing
        return []


def every_schema_plan(connection: Any, tables: Sequence[str]) -> EverySchemaPlan:
    """What flushing ``tables`` of public with every schema also drops and empties."""
    # Spare schemas (tenantry_django.spares) go too: emptied, they would hand out a schema
    # without the rows its migrations seeded.
    from tenantry_django._spare_pool import list_spares

    spares = [spare.schema_name for spare in list_spares(connection.alias)]
    dropped = [*_dropped_tenant_schemas(connection, tables), *spares]
    kept_apart = [*get_settings().tenants.extra_search_paths, *dropped]
    with connection.cursor() as cursor:
        cursor.execute(_OTHER_SCHEMAS_TABLES, [_model_tables(), kept_apart])
        emptied = tuple((schema, table) for schema, table in cursor.fetchall())
    return EverySchemaPlan(dropped=tuple(dropped), emptied=emptied)


def every_schema_statements(connection: Any, plan: EverySchemaPlan) -> list[str]:
    """The DROP SCHEMA statements of ``plan`` (the TRUNCATE is the caller's)."""
    statements = []
    for schema in plan.dropped:
        connection.tenantry_forget_schema(schema)  # checked again if anything names it later
        statements.append(f"DROP SCHEMA IF EXISTS {quote_identifier(schema)} CASCADE;")
    return statements


def qualified(schema: str, table: str) -> str:
    # Quoted as a whole: Django's quote_name leaves a name that starts and ends with a
    # double quote as it is.
    return f"{quote_identifier(schema)}.{quote_identifier(table)}"


def sql_flush_every_schema(connection: Any, tables: Sequence[str]) -> tuple[list[str], list[str]]:
    """(statements to run before the TRUNCATE, the tables it must list besides ``tables``)."""
    plan = every_schema_plan(connection, tables)
    return every_schema_statements(connection, plan), [qualified(*t) for t in plan.emptied]


def every_schema() -> bool:
    """Whether the caller asked for every schema (:func:`flushing_every_schema`)."""
    return _every_schema.get()
