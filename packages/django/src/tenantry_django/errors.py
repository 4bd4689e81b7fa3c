"""Exceptions tenantry_django raises; each message says what happened and what to do."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.db.utils import NotSupportedError, ProgrammingError

__all__ = [
    "CrossTenantError",
    "FlushRefusedError",
    "NoActiveTenantError",
    "SchemaExistsError",
    "TenancySetupError",
    "TenantAppNotInstalledError",
    "TenantSchemaMissingError",
    "TenantTableMissingError",
    "TenantryError",
    "TransactionPoolingError",
]


class TenantryError(Exception):
    """Base class of tenantry_django's errors."""


class NoActiveTenantError(TenantryError, LookupError):
    """A tenant app's model was used while no tenant was active."""


class TenantAppNotInstalledError(TenantryError, LookupError):
    """A model was used in a tenant whose schema does not have its app."""


class CrossTenantError(TenantryError, ValueError):
    """Rows or queries of two tenants were mixed: related, combined, or run in the other.

    A ``ValueError``, like Django's error for relating instances of two databases.
    """


class SchemaExistsError(TenantryError):
    """A new tenant's schema name is already taken by a schema in its database."""


class TenantSchemaMissingError(TenantryError, ProgrammingError):
    """The active tenant's schema does not exist (dropped, or never created).

    Raised instead of running the statement: PostgreSQL would otherwise skip the missing
    schema of the search path and resolve every name in public. A ``ProgrammingError``, so
    code that handles database errors handles this one too.
    """


class TenancySetupError(TenantryError, ImproperlyConfigured):
    """tenantry's backend or router is missing where tenants live: migrating or creating a
    tenant would mix tenants' tables with public's, so it was refused (nothing changed).

    The system checks ``tenantry.E023`` and ``tenantry.E024`` report the same mistakes.
    """


class TenantTableMissingError(TenantryError, ProgrammingError):
    """A table tenantry reads tenants from (the tenant or domain model's) does not exist
    yet: ``manage.py migrate`` has not run. A ``ProgrammingError``, as the error it replaces.
    """


class TransactionPoolingError(TenantryError, NotSupportedError):
    """A statement cannot carry a tenant's search path under transaction pooling."""


class FlushRefusedError(TenantryError, NotSupportedError):
    """A flush of public would empty tables of other schemas (tenants' tables that reference
    public's); nothing was flushed.

    A ``NotSupportedError``, the error PostgreSQL's own refusal would have raised.
    """
