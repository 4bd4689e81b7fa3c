"""What the resolvers see of a Django request: a ``tenantry.RequestInfo``.

The same for an HTTP request and for a websocket's ASGI scope made into Django's request
(``tenantry_channels`` does that), so both are described one way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.http import HttpRequest
from django.http.request import HttpHeaders

from tenantry import RequestInfo

__all__ = ["first_segment", "request_info"]


def first_segment(path: str) -> str:
    """The path's first segment: the folder a subfolder tenant may be served under."""
    return path.lstrip("/").split("/", 1)[0]


class _MetaHeaders(Mapping[str, str]):
    """Request headers read from the WSGI/ASGI environ on demand.

    ``request.headers`` parses every header on first use; resolvers look at one or two.
    """

    __slots__ = ("_meta",)

    def __init__(self, meta: Mapping[str, Any]) -> None:
        self._meta = meta

    @staticmethod
    def _key(name: str) -> str:
        key = name.upper().replace("-", "_")
        return key if key in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{key}"

    def __getitem__(self, name: str) -> str:
        return str(self._meta[self._key(name)])

    def get(self, name: str, default: Any = None) -> Any:
        return self._meta.get(self._key(name), default)

    def __iter__(self) -> Iterator[str]:
        return iter(HttpHeaders(self._meta))

    def __len__(self) -> int:
        return len(HttpHeaders(self._meta))


def _session_reader(session: Any) -> Callable[[str], object | None]:
    # Looked up when a resolver reads, not now: a websocket's session is loaded on first use.
    return lambda key: session.get(key)


def request_info(request: HttpRequest, host: str) -> RequestInfo:
    """The resolvers' view of ``request``, whose validated host is ``host``."""
    session = getattr(request, "session", None)
    optional: dict[str, Any] = {"session": _session_reader(session)} if session is not None else {}
    return RequestInfo(
        host=host,
        path=request.path_info,
        headers=_MetaHeaders(request.META),
        scheme=request.scheme or "http",
        **optional,
    )
