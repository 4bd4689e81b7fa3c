"""``TenantProtocolRouter``: the project's ASGI application, tenant-aware for HTTP and
websockets.

Every scope is resolved by the resolver chain ``TenantMiddleware`` uses (domain with
subfolder, header, session: ``TENANTRY_RESOLVERS``). The tenant goes into ``scope["tenant"]``
(and its subfolder into ``scope["tenant_folder"]``) and is active while the application runs.
HTTP goes on to Django's ASGI handler, whose middleware answers unknown hosts with its 404. A
websocket is routed by its tenant's ``WS_URLCONF``; an unknown host, or a tenant without
websocket routes, has its handshake refused: never routed to public.

A refusal is a close before accepting, which every ASGI server answers with an HTTP 403 and
logs as an ordinary refused handshake; the reason (naming the host) is logged here, on the
``tenantry_channels`` logger. Not an HTTP 404 through the ``websocket.http.response``
extension: uvicorn's default websocket implementation logs an ERROR for every such response
(its handshake is never marked complete), which would page whoever watches errors for each
probe of an unknown host.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from importlib import import_module
from typing import Any, cast

from channels.db import database_sync_to_async  # type: ignore[import-untyped]
from channels.routing import URLRouter  # type: ignore[import-untyped]
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest

from tenantry import Resolution, tenant_context
from tenantry_channels._asgi import ASGIApp, Message, Receive, Scope, Send
from tenantry_channels._scope import scope_request, shown_host
from tenantry_django.middleware import SCOPE_RESOLUTION_KEY
from tenantry_django.routing import resolve_request, validated_host
from tenantry_django.urlconfs import ws_urlconf_for

__all__ = ["CLOSE_CODE_NOT_FOUND", "TenantProtocolRouter", "WebsocketMiddleware"]

logger = logging.getLogger("tenantry_channels")

WebsocketMiddleware = Callable[[ASGIApp], ASGIApp]

#: The code of the close that refuses a handshake (4000 + the HTTP status it stands for);
#: servers answer such a close with an HTTP 403, and ASGI test clients see the code.
CLOSE_CODE_NOT_FOUND = 4404
_MAX_CLOSE_REASON_BYTES = 123  # a close frame's payload is 125 bytes, 2 of them the code


class TenantProtocolRouter:
    """The ASGI application: ``application = TenantProtocolRouter()``.

    ``http`` replaces Django's ASGI handler (built on first use otherwise);
    ``websocket_middleware`` wraps each tenant's websocket routes, e.g.
    ``AuthMiddlewareStack``; it runs with the tenant already active.
    """

    def __init__(
        self,
        *,
        http: ASGIApp | None = None,
        websocket_middleware: WebsocketMiddleware | None = None,
    ) -> None:
        self._http = http
        self._websocket_middleware = websocket_middleware
        # (WS_URLCONF, folder) -> its router, built once: concurrent connections only read.
        self._websocket_apps: dict[tuple[str, str], ASGIApp] = {}
        self._lock = threading.Lock()
        self._ready = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "lifespan":
            await self._lifespan(receive, send)
            return
        if kind not in ("http", "websocket"):
            raise ValueError(
                f"TenantProtocolRouter serves 'http', 'websocket' and 'lifespan' scopes, "
                f"not {kind!r}."
            )
        http = self._prepare()
        request = scope_request(scope)
        resolution = await _resolve(request)
        tenant = resolution.tenant if resolution is not None else None
        folder = resolution.folder if resolution is not None else None
        # A copy, as ASGI asks of middleware: the server may reuse its scope.
        scope = {**scope, "tenant": tenant, "tenant_folder": folder}
        if kind == "http":
            # Django's TenantMiddleware takes this answer instead of resolving again, and
            # answers unknown hosts and redirects itself.
            scope[SCOPE_RESOLUTION_KEY] = resolution
            with tenant_context(tenant):
                await http(scope, receive, send)
        else:
            await self._websocket(resolution, request, scope, receive, send)

    async def _websocket(
        self,
        resolution: Resolution | None,
        request: HttpRequest | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        if resolution is None:
            reason = f"No tenant is served at {shown_host(request)!r}."
            await _refuse(scope, receive, send, reason)
            return
        tenant, folder = resolution.tenant, resolution.folder
        ws_urlconf = ws_urlconf_for(tenant)
        if not ws_urlconf:
            reason = f"Tenant {tenant.schema_name!r} serves no websockets (no WS_URLCONF)."
            await _refuse(scope, receive, send, reason)
            return
        # A domain marked redirect_to_primary still serves its tenant here: a websocket
        # client cannot follow a redirect, and the tenant is not in doubt.
        application = self._websocket_app(ws_urlconf, folder or "")
        with tenant_context(tenant):
            await application(scope, receive, send)

    def _prepare(self) -> ASGIApp:
        """Set Django up and build the HTTP application, once: at lifespan startup, or on
        the first connection when the server runs without lifespan. Not at construction:
        the ASGI module is imported before settings may be usable (mypy, tooling)."""
        if not self._ready:
            with self._lock:
                if not self._ready:
                    import django
                    from django.apps import apps

                    if self._http is None:
                        from django.core.asgi import get_asgi_application

                        # runs django.setup(); its stubs type scope and messages strictly
                        self._http = cast(ASGIApp, get_asgi_application())
                    elif not apps.ready:
                        django.setup(set_prefix=False)
                    self._ready = True
        assert self._http is not None
        return self._http

    def _websocket_app(self, ws_urlconf: str, folder: str) -> ASGIApp:
        key = (ws_urlconf, folder)
        application = self._websocket_apps.get(key)
        if application is None:
            with self._lock:
                application = self._websocket_apps.get(key)
                if application is None:
                    application = self._build_websocket_app(ws_urlconf, folder)
                    self._websocket_apps[key] = application
        return application

    def _build_websocket_app(self, ws_urlconf: str, folder: str) -> ASGIApp:
        from django.urls import path

        routes = import_module(ws_urlconf).urlpatterns
        application: ASGIApp = URLRouter(routes)
        if folder:  # the tenant's paths carry its folder, as its HTTP URLs do
            # Channels routes ASGI apps with Django's path(); the stubs expect a view.
            application = URLRouter([path(f"{folder}/", cast(Any, application))])
        if self._websocket_middleware is not None:
            application = self._websocket_middleware(application)
        return application

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self._prepare()
                except Exception as error:  # the server reports it and does not start
                    logger.exception("Django could not be set up")
                    await send({"type": "lifespan.startup.failed", "message": str(error)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _resolve(request: HttpRequest | None) -> Resolution | None:
    """``tenantry_django.routing``'s answer for the scope's request, as for an HTTP request."""
    if request is None:  # no host at all
        return None
    try:
        validated_host(request)  # a host Django refuses is never resolved (nor looked up)
    except DisallowedHost:
        return None
    # A cache miss reads the domain table: in a thread, with Django's connection hygiene.
    resolution: Resolution | None = await database_sync_to_async(resolve_request)(request)
    return resolution


async def _refuse(scope: Scope, receive: Receive, send: Send, reason: str) -> None:
    """Refuse the handshake with a close before accepting (the server's HTTP 403)."""
    message: Message = await receive()
    if message["type"] != "websocket.connect":  # the client left before its handshake
        return
    logger.warning("Websocket refused (%s): %s", scope.get("path", ""), reason)
    short = reason.encode()[:_MAX_CLOSE_REASON_BYTES].decode(errors="ignore")
    await send({"type": "websocket.close", "code": CLOSE_CODE_NOT_FOUND, "reason": short})
