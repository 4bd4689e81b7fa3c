"""The list of known tenants that selectors are matched against."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from tenantry._tenant import Tenant

__all__ = ["CatalogEntry", "StaticCatalog", "TenantCatalog", "TenantKind"]


class TenantKind(enum.Enum):
    STATIC = "static"  # configured in settings, keyed by schema name (public included)
    DYNAMIC = "dynamic"  # rows of the tenant model


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One tenant as selectors see it.

    ``key`` is the static key or the dynamic schema name; ``domains`` holds ``host`` or
    ``host/folder`` strings, lowercase.
    """

    tenant: Tenant
    kind: TenantKind
    key: str
    domains: tuple[str, ...] = ()

    def label(self) -> str:
        if not self.domains:
            return self.key
        return f"{self.key} ({', '.join(self.domains)})"


class TenantCatalog(Protocol):
    """Anything that can list the tenants, static first. Supplied through a hook."""

    def entries(self) -> Iterable[CatalogEntry]: ...


@dataclass(frozen=True, slots=True)
class StaticCatalog:
    """A catalog over a fixed list; handy for tests and for static-only projects."""

    items: tuple[CatalogEntry, ...]

    def entries(self) -> Iterable[CatalogEntry]:
        return self.items
