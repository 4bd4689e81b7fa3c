"""Find the tenant of a request: one entry point for HTTP requests and websockets.

``resolve_request(request)`` takes a Django request (``TenantMiddleware``'s, or the
``ASGIRequest`` ``tenantry_channels`` makes of a websocket's scope), validates its host the way
Django does (:func:`validated_host`), and asks the resolver chain: the resolvers
``TENANTRY_RESOLVERS`` (default ``["domain"]``) names, as plugins announce them through the
``tenantry_register_resolvers`` hook (built in: ``domain``, ``header``, ``session``). The
first answer wins.

Answers, validated hosts and the rows the resolvers read are remembered in this process: a
hit costs no query. A change to a domain or tenant row clears them here at once
(:func:`clear_caches`) and reaches every other process within
``TENANTRY_RESOLVER_CACHE_SECONDS`` (default 10) seconds; a changed setting starts them over.

Modules: ``_chain`` (the chain and the entry point), ``_cache`` (what is remembered),
``_hosts`` (host validation), ``_request`` (what resolvers see of a request), ``_domain`` (the
``domain`` resolver), ``_names`` (the ``header`` and ``session`` resolvers).
"""

from tenantry_django.routing._cache import RoutingCaches, clear_caches, current_caches
from tenantry_django.routing._chain import resolve, resolve_remembered, resolve_request
from tenantry_django.routing._hosts import validated_host
from tenantry_django.routing._request import request_info

__all__ = [
    "RoutingCaches",
    "clear_caches",
    "current_caches",
    "request_info",
    "resolve",
    "resolve_remembered",
    "resolve_request",
    "validated_host",
]
