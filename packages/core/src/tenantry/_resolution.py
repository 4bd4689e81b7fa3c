"""A neutral description of an incoming request, the resolvers that read it, their answer."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from tenantry._tenant import Tenant, check_tenant

__all__ = ["RequestInfo", "Resolution", "Resolver", "ResolverSpec"]


def _no_session(key: str) -> object | None:
    return None


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """What a resolver may look at, whatever the framework: HTTP request or websocket scope.

    ``headers`` keys are lowercase; ``session`` reads one session value (``None`` when the
    request has no session), so resolvers never touch framework objects.
    """

    host: str
    path: str = "/"
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    session: Callable[[str], object | None] = _no_session
    scheme: str = "http"

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(frozen=True, slots=True)
class Resolution:
    """A resolver's answer: the tenant, the subfolder it was found under, or a redirect.

    ``redirect_to`` is an absolute URL without query string (the caller keeps the query).
    """

    tenant: Tenant
    folder: str | None = None
    redirect_to: str | None = None
    resolver: str | None = None

    def __post_init__(self) -> None:
        # Checked once here: the middleware activates a resolution's tenant unchecked.
        check_tenant(self.tenant)


class Resolver(Protocol):
    """Finds the tenant a request is for; ``None`` lets the next resolver try.

    Runs once per request (or less: see ``ResolverSpec.host_only``), never per query.
    """

    def __call__(self, request: RequestInfo, /) -> Resolution | None: ...


@dataclass(frozen=True, slots=True)
class ResolverSpec:
    """One named resolver. ``TENANTRY_RESOLVERS`` lists the names to ask, in order.

    ``host_only``: the answer depends on nothing but the host and the first path segment, so
    it may be remembered per (host, folder) while only such resolvers are configured.
    """

    name: str
    resolve: Resolver
    description: str = ""
    host_only: bool = False
