"""``TenantMiddleware``: find the request's tenant, activate it, serve its URLconf.

Put it first in ``MIDDLEWARE`` (after ``SessionMiddleware`` if the ``session`` resolver is
on). An unknown host gets a 404 page naming it and saying how to serve a tenant there (or
``TENANTRY_UNKNOWN_HOST_VIEW``'s response), never the public schema;
a domain marked ``redirect_to_primary`` gets a 301 to the tenant's primary domain.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.utils.module_loading import import_string

from tenantry import (
    Resolution,
    Tenant,
    enter_tenant,
    get_plugin_manager,
    leave_tenant,
    tenant_context,
)
from tenantry_django._pinning import steps_in
from tenantry_django._unknown_host import unknown_host_response
from tenantry_django._urlconf import folder_urlconf, urlconf_for
from tenantry_django.conf import get_settings
from tenantry_django.routing import (
    RoutingCaches,
    current_caches,
    resolve_remembered,
    validated_host,
)

__all__ = ["SCOPE_RESOLUTION_KEY", "TenantMiddleware"]

#: Where an ASGI router that resolved the request already (``tenantry_channels``'
#: ``TenantProtocolRouter``) leaves its ``Resolution`` (or None) in the scope: the middleware
#: takes it instead of running the resolvers a second time.
SCOPE_RESOLUTION_KEY = "tenantry.resolution"
_NOT_CARRIED = object()


def _carried(request: HttpRequest) -> Any:
    """The router's answer from the ASGI scope, or ``_NOT_CARRIED`` (WSGI, or no router)."""
    scope = getattr(request, "scope", None)
    return scope.get(SCOPE_RESOLUTION_KEY, _NOT_CARRIED) if scope is not None else _NOT_CARRIED


class _Prepared(NamedTuple):
    """What the middleware sets on a request for its tenant; remembered per host headers and
    folder (``RoutingCaches.prepared``) while the routing answer it came from holds."""

    expires: float  # time.monotonic(); 0.0: not remembered
    manager: object  # the plugin manager whose resolvers answered
    tenant: Tenant
    folder: str | None
    urlconf: Any  # what request.urlconf becomes; None: Django's own ROOT_URLCONF


_Answer = HttpResponseBase | _Prepared


def _key(request: HttpRequest) -> tuple[str, str | None, str]:
    """What a remembered answer is found by: the host headers and the first path segment
    (the answer depends on nothing else while the settings object and the routing caches'
    rows stay the same)."""
    meta = request.META
    return (
        meta.get("HTTP_HOST", ""),
        meta.get("HTTP_X_FORWARDED_HOST"),
        request.path_info.lstrip("/").split("/", 1)[0],
    )


def _streaming_in(tenant: Tenant, response: Any) -> Any:
    """A streaming response produces its content after the view returned: with the tenant."""
    if getattr(response, "streaming", False) and getattr(response, "file_to_stream", None) is None:
        # (A FileResponse reads a file, no tenant needed; rewrapping it would cost the
        # server's sendfile path.)
        response.streaming_content = steps_in(tenant, response.streaming_content)
    return response


class TenantMiddleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        # The URLconf the last resolution got (the routing cache hands out one Resolution
        # object per host): (resolution, settings object, ROOT_URLCONF, what to set).
        self._last_urlconf: tuple[Resolution, object, object, Any] | None = None
        # The settings object and the routing caches that belong to it.
        self._held: tuple[object, RoutingCaches | None] = (None, None)
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def _answer(self, request: HttpRequest, resolution: Resolution | None) -> _Answer:
        """A response that ends the request here, or what to set on it for the tenant."""
        if resolution is None:
            view_path = get_settings().unknown_host_view
            if view_path:
                response: HttpResponseBase = import_string(view_path)(request)
                return response
            return unknown_host_response(validated_host(request))
        if resolution.redirect_to:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(
                resolution.redirect_to + (f"?{query}" if query else "")
            )
        root = getattr(settings, "ROOT_URLCONF", None)
        tenantry_settings = get_settings()
        last = self._last_urlconf
        if (
            last is not None
            and last[0] is resolution
            and last[1] is tenantry_settings
            and last[2] is root
        ):
            chosen = last[3]
        else:
            chosen = self._urlconf(resolution, root)
            self._last_urlconf = (resolution, tenantry_settings, root, chosen)
        return _Prepared(0.0, None, resolution.tenant, resolution.folder, chosen)

    @staticmethod
    def _urlconf(resolution: Resolution, root: object) -> Any:
        """The URLconf to set on the request, or None for Django's own (``ROOT_URLCONF``)."""
        urlconf = urlconf_for(resolution.tenant)
        if resolution.folder:
            # Django takes a module as well as a dotted path; its stubs say only str.
            return folder_urlconf(urlconf, resolution.folder)
        return urlconf if urlconf != root else None

    def _caches(self) -> RoutingCaches:
        held = self._held
        settings_now = get_settings()
        caches = held[1]
        if held[0] is not settings_now or caches is None:
            caches = current_caches()
            self._held = (settings_now, caches)
        return caches

    def _route(self, request: HttpRequest) -> _Answer:
        """Resolve ``request`` and answer it (:meth:`_answer`); a prepared answer that can be
        reused is remembered for the next request with the same host headers and folder."""
        carried = _carried(request)
        if carried is not _NOT_CARRIED:
            validated_host(request)  # the router resolved; Django still refuses what it refuses
            return self._answer(request, cast(Resolution | None, carried))
        caches = self._caches()
        resolution, expires = resolve_remembered(request, caches)  # DisallowedHost, maybe
        answer = self._answer(request, resolution)
        key = _key(request)
        if isinstance(answer, _Prepared) and expires is not None and key[0]:
            answer = answer._replace(expires=expires, manager=get_plugin_manager())
            caches.remember_prepared(key, answer)
        return answer

    def _remembered(self, request: HttpRequest) -> _Prepared | None:
        """The answer remembered for this request's host headers and folder, if still good."""
        prepared: _Prepared | None = self._caches().prepared.get(_key(request))
        if (
            prepared is None
            or prepared.expires <= time.monotonic()
            or prepared.manager is not get_plugin_manager()
            or _carried(request) is not _NOT_CARRIED  # a router's answer goes first
        ):
            return None
        return prepared

    def __call__(self, request: HttpRequest) -> Any:
        if self._async:
            return self.__acall__(request)
        # The common case written out (a known host seen within the cache's seconds, WSGI):
        # this runs for every request, each call saved counts.
        held = self._held
        caches = held[1]
        if held[0] is not get_settings() or caches is None:
            caches = self._caches()
        meta = request.META
        prepared = caches.prepared.get(
            (
                meta.get("HTTP_HOST", ""),
                meta.get("HTTP_X_FORWARDED_HOST"),
                request.path_info.lstrip("/").split("/", 1)[0],
            )
        )
        if (
            prepared is None
            or prepared.expires <= time.monotonic()
            or prepared.manager is not get_plugin_manager()
            or (
                getattr(request, "scope", None) is not None  # ASGI: a router's answer first
                and _carried(request) is not _NOT_CARRIED
            )
        ):
            answer = self._route(request)
            if not isinstance(answer, _Prepared):
                return answer
            prepared = answer
        tenant = prepared.tenant
        request.tenant = tenant  # type: ignore[attr-defined]
        request.tenant_folder = prepared.folder  # type: ignore[attr-defined]
        if prepared.urlconf is not None:
            request.urlconf = prepared.urlconf
        token = enter_tenant(tenant)
        try:
            response = self.get_response(request)
        finally:
            leave_tenant(token)
        if getattr(response, "streaming", False):
            return _streaming_in(tenant, response)
        return response

    async def __acall__(self, request: HttpRequest) -> Any:
        answer: _Answer | None = self._remembered(request)
        if answer is None:
            if isinstance(_carried(request), Resolution):
                # Resolved by the router already; preparing a known tenant queries nothing.
                answer = self._route(request)
            else:
                # Resolving may query the domain table, an unknown-host view may too: one hop.
                answer = await sync_to_async(self._route)(request)
        if not isinstance(answer, _Prepared):
            return answer
        tenant = answer.tenant
        request.tenant = tenant  # type: ignore[attr-defined]
        request.tenant_folder = answer.folder  # type: ignore[attr-defined]
        if answer.urlconf is not None:
            request.urlconf = answer.urlconf
        get_response: Callable[[HttpRequest], Awaitable[Any]] = self.get_response
        with tenant_context(tenant):
            response = await get_response(request)
        return _streaming_in(tenant, response)
