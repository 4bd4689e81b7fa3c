"""Schema operations: exists, create, clone, drop, and the clone reference. Identifiers are
always quoted. Migrating a schema is :mod:`tenantry_django.migration`'s.

Each operation runs on the database the tenant lives in; callers choose the transaction.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connections, transaction

from tenantry import SchemaDescriptor, quote_identifier, tenant_context, validate_schema_name
from tenantry_django._flush import EverySchemaPlan, every_schema_plan, flushing_every_schema
from tenantry_django.conf import get_settings

__all__ = [
    "EverySchemaPlan",
    "clone_reference",
    "clone_reference_owner",
    "clone_schema",
    "create_clone_reference",
    "create_schema",
    "drop_schema",
    "every_schema_flush_plan",
    "flushing_every_schema",
    "refuse_a_tenant_as_clone_reference",
    "schema_exists",
    "schema_owner",
]


def _execute(database: str, statement: str) -> None:
    with connections[database].cursor() as cursor:
        cursor.execute(statement)


def schema_exists(schema_name: str, database: str) -> bool:
    with connections[database].cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [schema_name]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def create_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    _execute(database, f"CREATE SCHEMA {quote_identifier(schema_name)}")


def drop_schema(schema_name: str, database: str) -> None:
    validate_schema_name(schema_name)
    from tenantry_django.postgresql.base import DatabaseWrapper  # (imports the backend)

    if isinstance(connection := connections[database], DatabaseWrapper):
        connection.tenantry_forget_schema(schema_name)  # checked again before use
    _execute(database, f"DROP SCHEMA IF EXISTS {quote_identifier(schema_name)} CASCADE")


def create_clone_reference(*, verbosity: int = 0) -> SchemaDescriptor:
    """Create (if missing) and migrate the ``CLONE_REFERENCE`` schema new tenants copy."""
    reference = get_settings().tenants.clone_reference()
    if reference is None:
        raise ImproperlyConfigured(
            'TENANTS["default"]["CLONE_REFERENCE"] is not set; name the schema new tenants '
            'are cloned from, e.g. "sample".'
        )
    # Imported here: the migration engine builds on this module's schema operations.
    from tenantry_django.migration import ensure_schema_migrated

    ensure_schema_migrated(reference, verbosity=verbosity)
    return reference


def clone_reference() -> SchemaDescriptor | None:
    """The ``CLONE_REFERENCE`` schema new tenants copy; None when it is not configured."""
    return get_settings().tenants.clone_reference()


def schema_owner(schema_name: str, database: str | None = None) -> str | None:
    """The tenant whose schema ``schema_name`` is (in ``database``; None: in any), described
    for a message (``static tenant 'www'``, ``dynamic tenant 'acme' (database 'default')``),
    or None. Dynamic tenants are looked up in their table; before it exists there are none.
    """
    config = get_settings().tenants
    static = config.statics.get(schema_name)
    if static is not None and database in (None, static.database):
        return f"static tenant {schema_name!r}"
    if config.dynamic is None:
        return None
    model = apps.get_model(config.dynamic.tenant_model)
    rows = model._default_manager.using(config.public_database).filter(schema_name=schema_name)
    if database is not None:
        rows = rows.filter(database=database)
    try:  # a savepoint: a missing table must not break the caller's transaction
        with transaction.atomic(using=config.public_database):
            found = rows.values_list("database", flat=True).first()
    except DatabaseError:
        return None  # not migrated yet: no dynamic tenants
    if found is None:
        return None
    return f"dynamic tenant {schema_name!r} (database {found!r})"


def clone_reference_owner() -> str | None:
    """The tenant whose schema ``CLONE_REFERENCE`` names (see :func:`schema_owner`), or None.

    The reference is copied, rows included, into every new tenant, and ``createrefschema
    --recreate`` drops it: it must never be a tenant's schema.
    """
    reference = clone_reference()
    if reference is None:
        return None
    return schema_owner(reference.schema_name)


def refuse_a_tenant_as_clone_reference() -> None:
    """Raise ``ImproperlyConfigured`` when ``CLONE_REFERENCE`` is a tenant's schema."""
    reference = clone_reference()
    owner = clone_reference_owner()
    if reference is not None and owner is not None:
        raise ImproperlyConfigured(
            f'TENANTS["default"]["CLONE_REFERENCE"] names schema {reference.schema_name!r}, '
            f"which belongs to {owner}: a new tenant would be cloned from it, rows included. "
            "Point CLONE_REFERENCE at a schema no tenant uses (tenantry.E022)."
        )


def clone_schema(source: str, target: str, database: str) -> None:
    """Create schema ``target`` as a copy of ``source`` (structure and rows) in ``database``.

    Run it inside a transaction, so that a failure halfway leaves no partial schema.
    """
    # Imported here: the cloning module builds on this one (create_schema).
    from tenantry_django._clone import clone_schema as clone

    clone(source, target, database)


def every_schema_flush_plan(database: str) -> EverySchemaPlan:
    """What a flush of ``database`` within :func:`flushing_every_schema` drops (``dropped``:
    the schemas of the dynamic tenants whose rows go) and empties besides public's tables
    (``emptied``: ``(schema, table)`` pairs)."""
    connection = connections[database]
    with tenant_context(None):
        tables = connection.introspection.django_table_names(
            only_existing=True, include_views=False
        )
        return every_schema_plan(connection, tables)
