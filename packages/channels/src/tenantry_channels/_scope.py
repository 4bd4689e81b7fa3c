"""A ``tenantry.RequestInfo`` from an ASGI scope, read the way Django reads a request.

The host goes through the same checks as ``HttpRequest.get_host()`` (``USE_X_FORWARDED_HOST``,
``ALLOWED_HOSTS``), so a websocket is never resolved from a host an HTTP request to the same
server would be refused for.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host

from tenantry import RequestInfo
from tenantry_channels._asgi import Scope

_LOCAL_HOSTS = [".localhost", "127.0.0.1", "[::1]"]  # Django's DEBUG default


def scope_headers(scope: Scope) -> dict[str, str]:
    """Lowercase names; a repeated header's values joined with commas, as Django does."""
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", ()):
        name, value = raw_name.decode("latin1").lower(), raw_value.decode("latin1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    return headers


def _raw_host(scope: Scope, headers: dict[str, str]) -> str | None:
    if settings.USE_X_FORWARDED_HOST and "x-forwarded-host" in headers:
        return headers["x-forwarded-host"]
    if "host" in headers:
        return headers["host"]
    server = scope.get("server")
    if not server or server[1] is None:
        return None
    secure = scope.get("scheme") in ("https", "wss")
    port = str(server[1])
    return str(server[0]) if port == ("443" if secure else "80") else f"{server[0]}:{port}"


def scope_host(scope: Scope, headers: dict[str, str]) -> str | None:
    """The host Django's ``get_host()`` would return, or None where it would refuse it."""
    host = _raw_host(scope, headers)
    if host is None:
        return None
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = _LOCAL_HOSTS
    domain, _ = split_domain_port(host)
    return host if domain and validate_host(domain, allowed) else None


def scope_path(scope: Scope) -> str:
    """``path_info``: the path below the ``root_path`` the server mounts the app at."""
    path = str(scope.get("path") or "/")
    root = str(scope.get("root_path") or "")
    return (path[len(root) :] or "/") if root and path.startswith(root) else path


def _session_reader(headers: dict[str, str]) -> Callable[[str], object | None]:
    """Reads the session named by the request's cookie, loaded on first use only: most
    resolver chains never ask, and a websocket scope has no session middleware before us."""
    loaded: list[Any] = []

    def read(key: str) -> object | None:
        if not loaded:
            cookies = parse_cookie(headers.get("cookie", ""))
            session_key = cookies.get(settings.SESSION_COOKIE_NAME)
            engine = import_module(settings.SESSION_ENGINE)
            loaded.append(engine.SessionStore(session_key) if session_key else None)
        session = loaded[0]
        return None if session is None else session.get(key)

    return read


def request_info(scope: Scope) -> RequestInfo | None:
    """What the resolvers see for this scope; None when the host is missing or not allowed."""
    headers = scope_headers(scope)
    host = scope_host(scope, headers)
    if host is None:
        return None
    scheme = str(scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http"))
    return RequestInfo(
        host=host,
        path=scope_path(scope),
        headers=headers,
        session=_session_reader(headers),
        # Resolvers build redirect URLs for browsers: the HTTP scheme of the same origin.
        scheme={"ws": "http", "wss": "https"}.get(scheme, scheme),
    )


def describe_host(scope: Scope) -> str:
    """The host as the client sent it, for messages (also when it was not allowed)."""
    headers = scope_headers(scope)
    return _raw_host(scope, headers) or "(no host)"
