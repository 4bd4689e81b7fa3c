"""The request's host, validated by Django, once per distinct pair of host headers.

Django's ``request.get_host()`` re-validates the header against ``ALLOWED_HOSTS`` on every call
(a few microseconds, the largest part of routing a request). Its answer depends only on the
``Host`` and ``X-Forwarded-Host`` headers and on settings the settings object watches
(``ALLOWED_HOSTS``, ``DEBUG``, ``USE_X_FORWARDED_HOST``), so it is remembered per header pair
with the other routing caches, which die with those settings. A host Django rejects raises
``DisallowedHost`` as always and is never remembered.

HTTP requests and websockets (whose ASGI scope ``tenantry_channels`` makes into Django's own
``ASGIRequest``) go through this one function: the same headers get the same answer.
"""

from __future__ import annotations

from django.http import HttpRequest

from tenantry_django.routing._cache import RoutingCaches, current_caches

__all__ = ["validated_host"]


def validated_host(request: HttpRequest) -> str:
    """``request.get_host()``, remembered for requests carrying the same host headers."""
    return host_of(request, current_caches())


def host_of(request: HttpRequest, caches: RoutingCaches) -> str:
    meta = request.META
    host = meta.get("HTTP_HOST")
    if not host:  # derived from SERVER_NAME/SERVER_PORT and the scheme: rare, not remembered
        return request.get_host()
    key = (meta.get("HTTP_X_FORWARDED_HOST"), host)
    validated = caches.hosts.get(key)
    if validated is None:
        validated = request.get_host()  # raises DisallowedHost: nothing remembered
        caches.remember_host(key, validated)
    return validated
