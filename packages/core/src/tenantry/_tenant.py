"""What a tenant is: anything that says where it lives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from tenantry._schema_names import validate_schema_name

__all__ = ["DEFAULT_DATABASE", "SchemaDescriptor", "Tenant", "check_tenant", "describe"]

DEFAULT_DATABASE = "default"


@runtime_checkable
class Tenant(Protocol):
    """A tenant lives at a place: a database alias and a schema in it.

    Properties rather than plain attributes so that frozen dataclasses and Django model
    fields both satisfy the protocol.
    """

    @property
    def schema_name(self) -> str: ...

    @property
    def database(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SchemaDescriptor:
    """A plain, hashable tenant: static tenants, the public schema and the clone reference.

    ``domain`` and ``folder`` describe where a static tenant is served, when it is.
    """

    schema_name: str
    database: str = DEFAULT_DATABASE
    domain: str | None = None
    folder: str | None = None

    def __post_init__(self) -> None:
        # Descriptors name the public schema too, so only the generic rules apply here;
        # the stricter rules for dynamic tenants live with whoever creates them.
        validate_schema_name(self.schema_name, allow_public=True)
        if not isinstance(self.database, str) or not self.database:
            raise ValueError(f"database alias must be a non-empty string, got {self.database!r}")

    @property
    def is_public(self) -> bool:
        return self.schema_name == "public"


def describe(tenant: Tenant) -> str:
    """A short human label for messages: ``schema`` or ``database:schema``."""
    if tenant.database == DEFAULT_DATABASE:
        return tenant.schema_name
    return f"{tenant.database}:{tenant.schema_name}"


def check_tenant(tenant: object) -> Tenant:
    """``tenant``, or ``TypeError`` when it lacks string ``schema_name`` and ``database``."""
    # Cheaper than isinstance() against a runtime-checkable Protocol, and a clearer message.
    schema_name = getattr(tenant, "schema_name", None)
    database = getattr(tenant, "database", None)
    if not isinstance(schema_name, str) or not isinstance(database, str):
        raise TypeError(
            f"{tenant!r} is not a tenant: it needs string attributes 'schema_name' and "
            "'database' (use SchemaDescriptor for static tenants)"
        )
    return tenant  # type: ignore[return-value]
