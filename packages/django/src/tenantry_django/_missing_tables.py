"""Tenant and domain tables read before ``migrate`` created them: a clear error, not
PostgreSQL's ``relation "customers_tenant" does not exist``.

Only that error is translated (SQLSTATE 42P01, naming one of the tables expected); every
other ``ProgrammingError`` passes unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model
from django.db.utils import ProgrammingError

from tenantry_django.conf import get_settings
from tenantry_django.errors import TenantTableMissingError

__all__ = ["tenant_tables_required"]

UNDEFINED_TABLE = "42P01"


def _tenancy_models() -> list[type[Model]]:
    """The tenant and domain models ``TENANTS["default"]`` names (those that load)."""
    try:
        dynamic = get_settings().tenants.dynamic
    except ImproperlyConfigured:
        return []
    if dynamic is None:
        return []
    models = []
    for reference in filter(None, (dynamic.tenant_model, dynamic.domain_model)):
        try:
            models.append(apps.get_model(reference))
        except (LookupError, ValueError):
            continue  # reported by the system checks
    return models


def _missing_model(error: ProgrammingError) -> type[Model] | None:
    """The tenancy model whose table ``error`` says does not exist, or None."""
    cause = error.__cause__
    # psycopg 3 says ``sqlstate``, psycopg2 ``pgcode``.
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if code != UNDEFINED_TABLE:
        return None
    text = str(cause)
    for model in _tenancy_models():
        if f'relation "{model._meta.db_table}" does not exist' in text:
            return model
    return None


@contextmanager
def tenant_tables_required(database: str | None = None) -> Iterator[None]:
    """Raise :class:`TenantTableMissingError` when the body reads a tenant or domain table
    that does not exist (in ``database``; None: the public database)."""
    try:
        yield
    except ProgrammingError as error:
        model = _missing_model(error)
        if model is None:
            raise
        alias = database or get_settings().tenants.public_database
        raise TenantTableMissingError(
            f"Table {model._meta.db_table!r} of {model._meta.label} does not exist in "
            f"database {alias!r}: tenantry's shared tables are not created yet. Run "
            "`manage.py migrate` first (it creates them in the public schema)."
        ) from error
