"""Where a schema lives: the one key a tenant is known by throughout a migration run."""

from __future__ import annotations

from dataclasses import dataclass

from tenantry import Tenant, describe

__all__ = ["Place"]


@dataclass(frozen=True, order=True, slots=True)
class Place:
    """A database alias and a schema in it.

    A model row, a descriptor and a ``database:schema`` label may all name one schema; a run
    over many schemas keys everything (states, recipes, outcomes, the outcome log) by this
    value instead, and computes labels for display only. A place is itself a tenant (it says
    where it lives), small and picklable: outcomes carry it across process boundaries.
    """

    database: str
    schema_name: str

    @classmethod
    def of(cls, tenant: Tenant) -> Place:
        return cls(tenant.database, tenant.schema_name)

    @property
    def label(self) -> str:
        """``schema``, or ``database:schema`` outside the default database: for display."""
        return describe(self)
