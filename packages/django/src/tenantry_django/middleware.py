"""``TenantMiddleware``: find the request's tenant, activate it, serve its URLconf.

Put it first in ``MIDDLEWARE`` (after ``SessionMiddleware`` if the ``session`` resolver is
on). An unknown host gets a 404 page naming it and saying how to serve a tenant there (or
``TENANTRY_UNKNOWN_HOST_VIEW``'s response), never the public schema;
a domain marked ``redirect_to_primary`` gets a 301 to the tenant's primary domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponsePermanentRedirect
from django.utils.module_loading import import_string

from tenantry import Resolution, Tenant, tenant_context
from tenantry_django._pinning import steps_in
from tenantry_django._unknown_host import unknown_host_response
from tenantry_django._urlconf import folder_urlconf, urlconf_for
from tenantry_django.conf import get_settings
from tenantry_django.routing import resolve_request, validated_host

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
        self._async = iscoroutinefunction(get_response)
        if self._async:
            markcoroutinefunction(self)

    def _answer(
        self, request: HttpRequest, resolution: Resolution | None
    ) -> HttpResponseBase | None:
        """A response that ends the request here, or None after preparing it for the tenant."""
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
        request.tenant = resolution.tenant  # type: ignore[attr-defined]
        request.tenant_folder = resolution.folder  # type: ignore[attr-defined]
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
        if chosen is not None:
            request.urlconf = chosen
        return None

    @staticmethod
    def _urlconf(resolution: Resolution, root: object) -> Any:
        """The URLconf to set on the request, or None for Django's own (``ROOT_URLCONF``)."""
        urlconf = urlconf_for(resolution.tenant)
        if resolution.folder:
            # Django takes a module as well as a dotted path; its stubs say only str.
            return folder_urlconf(urlconf, resolution.folder)
        return urlconf if urlconf != root else None

    def _route(self, request: HttpRequest) -> tuple[Resolution | None, HttpResponseBase | None]:
        carried = _carried(request)
        if carried is _NOT_CARRIED:
            resolution = resolve_request(request)  # DisallowedHost for hosts Django refuses
        else:
            validated_host(request)  # the router resolved; Django still refuses what it refuses
            resolution = cast(Resolution | None, carried)
        return resolution, self._answer(request, resolution)

    def __call__(self, request: HttpRequest) -> Any:
        if self._async:
            return self.__acall__(request)
        resolution, early = self._route(request)
        if early is not None:
            return early
        assert resolution is not None
        with tenant_context(resolution.tenant):
            response = self.get_response(request)
        return _streaming_in(resolution.tenant, response)

    async def __acall__(self, request: HttpRequest) -> Any:
        if isinstance(_carried(request), Resolution):
            # Resolved by the router already; preparing a known tenant queries nothing.
            resolution, early = self._route(request)
        else:
            # Resolving may query the domain table, and an unknown-host view may too: one hop.
            resolution, early = await sync_to_async(self._route)(request)
        if early is not None:
            return early
        assert resolution is not None
        get_response: Callable[[HttpRequest], Awaitable[Any]] = self.get_response
        with tenant_context(resolution.tenant):
            response = await get_response(request)
        return _streaming_in(resolution.tenant, response)
