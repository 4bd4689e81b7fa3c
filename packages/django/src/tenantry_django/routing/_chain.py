"""The resolver chain, and the one entry point every request and websocket goes through.

``TENANTRY_RESOLVERS`` (default ``["domain"]``) names resolvers that plugins announce through
the ``tenantry_register_resolvers`` hook: the built-in ``domain``, ``header`` and ``session``,
or your own. The chain asks them in that order; the first answer wins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import HttpRequest

import tenantry
from tenantry import RequestInfo, Resolution, Resolver
from tenantry_django._domains import normalize_host
from tenantry_django.conf import get_settings
from tenantry_django.routing._cache import RoutingCaches, current_caches
from tenantry_django.routing._hosts import host_of
from tenantry_django.routing._request import first_segment, request_info

__all__ = ["Chain", "current_chain", "resolve", "resolve_remembered", "resolve_request"]


@dataclass(frozen=True)
class Chain:
    """The resolvers ``TENANTRY_RESOLVERS`` names, in order, as announced by the plugins."""

    manager: object  # the plugin manager that announced them
    resolvers: tuple[Resolver, ...]
    host_only: bool  # every one answers from the host and first path segment alone

    def run(self, request: RequestInfo) -> Resolution | None:
        for resolve_with in self.resolvers:
            resolution = resolve_with(request)
            if resolution is not None:
                return resolution
        return None


def _build_chain() -> Chain:
    manager = tenantry.get_plugin_manager()
    announced = tenantry.get_resolvers()
    specs = []
    for name in get_settings().resolvers:
        spec = announced.get(name)
        if spec is None:
            raise tenantry.PluginError(
                f"TENANTRY_RESOLVERS names {name!r}, but no plugin announces a resolver of "
                f"that name (installed: {', '.join(announced) or 'none'})."
            )
        specs.append(spec)
    resolvers = tuple(spec.resolve for spec in specs)
    return Chain(manager, resolvers, all(spec.host_only for spec in specs))


def current_chain() -> Chain:
    return _chain_in(current_caches())


def _chain_in(caches: RoutingCaches) -> Chain:
    """The chain for these settings, built once (again if plugins were reconfigured in code)."""
    chain = caches.chain
    if chain is None or chain.manager is not tenantry.get_plugin_manager():
        chain = caches.chain = _build_chain()
    return chain


def resolve(request: RequestInfo) -> Resolution | None:
    """Ask the configured resolvers in order, remembering no answer; the first answer wins."""
    return current_chain().run(request)


def resolve_request(request: HttpRequest) -> Resolution | None:
    """The tenant ``request`` is for: an HTTP request, or a websocket's scope as a request.

    Validates the host as Django does (``DisallowedHost`` for one it refuses), then answers
    from memory for a host and folder seen recently when the chain reads nothing else (only
    the ``domain`` resolver, say); otherwise the resolvers run. Redirects are never
    remembered: they carry the request's path.
    """
    return resolve_remembered(request, current_caches())[0]


def resolve_remembered(
    request: HttpRequest, caches: RoutingCaches
) -> tuple[Resolution | None, float | None]:
    """:func:`resolve_request`, and until when (``time.monotonic()``) its answer is
    remembered for this host and folder; None when it is not (redirects, or resolvers that
    read more than the host and folder)."""
    host = host_of(request, caches)
    chain = _chain_in(caches)
    key = (host, first_segment(request.path_info))
    now = time.monotonic()
    hit = caches.answers.entries.get(key)
    if hit is not None and hit[0] > now and hit[1][0] is chain:
        return hit[1][1], hit[0]
    resolution = chain.run(request_info(request, host))
    if chain.host_only and (resolution is None or resolution.redirect_to is None):
        # never outlives the host's rows it came from: a changed row still arrives in time
        expires = caches.domains.expires(normalize_host(host), now + caches.seconds)
        caches.answers.put(key, (chain, resolution), expires)
        return resolution, expires
    return resolution, None
