"""An ASGI scope as Django's own request, which ``tenantry_django.routing`` resolves.

Django's ``ASGIRequest`` reads the scope as Django's ASGI handler reads an HTTP request's
(headers into ``META``, the ``root_path`` off the path, the server's address when there is no
``Host`` header); routing then validates its host with the function HTTP requests go through
(``ALLOWED_HOSTS``, ``USE_X_FORWARDED_HOST``), so a websocket is never resolved from a host an
HTTP request to the same server would be refused for.
"""

from __future__ import annotations

import functools
import io
from importlib import import_module
from typing import cast

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenantry_channels._asgi import Scope

__all__ = ["scope_request", "shown_host"]

# A websocket's handshake is an HTTP request of the same origin: redirects the resolvers
# build are for browsers, and is_secure() decides which server port is the default one.
_HTTP_SCHEMES = {"ws": "http", "wss": "https"}


def _cookie_session(request: HttpRequest) -> SessionBase:
    """The session the request's cookie names, as Django's ``SessionMiddleware`` opens it
    (no session middleware runs before the router)."""
    engine = import_module(settings.SESSION_ENGINE)
    store: SessionBase = engine.SessionStore(request.COOKIES.get(settings.SESSION_COOKIE_NAME))
    return store


def scope_request(scope: Scope) -> HttpRequest | None:
    """Django's request for ``scope``; None when it names no host at all (no ``Host``
    header, no server address), where Django would make one up."""
    scheme = str(scope.get("scheme") or ("ws" if scope["type"] == "websocket" else "http"))
    as_http = {
        **scope,
        "scheme": _HTTP_SCHEMES.get(scheme, scheme),
        "method": scope.get("method") or "GET",  # a websocket's handshake is a GET
    }
    request = ASGIRequest(as_http, io.BytesIO())
    meta = request.META
    if not scope.get("server") and "HTTP_HOST" not in meta and "HTTP_X_FORWARDED_HOST" not in meta:
        return None
    # Opened when a resolver first reads it: most resolver chains never ask.
    lazy = SimpleLazyObject(functools.partial(_cookie_session, request))
    request.session = cast(SessionBase, lazy)
    return request


def shown_host(request: HttpRequest | None) -> str:
    """The host as the client sent it, for messages (also one Django refuses)."""
    if request is None:
        return "(no host)"
    raw: str = request._get_raw_host()  # type: ignore[attr-defined]  # Django's own reading
    return raw
