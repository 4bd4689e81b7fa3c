"""A neutral description of an incoming request and the answer a resolver gives."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from tenantry._tenant import Tenant


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
