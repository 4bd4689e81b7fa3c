"""Exceptions tenantry_django raises; each message says what happened and what to do."""

from __future__ import annotations


class TenantryError(Exception):
    """Base class of tenantry_django's errors."""


class NoActiveTenantError(TenantryError, LookupError):
    """A tenant app's model was used while no tenant was active."""


class TenantAppNotInstalledError(TenantryError, LookupError):
    """A model was used in a tenant whose schema does not have its app."""


class SchemaExistsError(TenantryError):
    """A new tenant's schema name is already taken by a schema in its database."""
