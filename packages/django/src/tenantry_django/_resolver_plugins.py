"""The built-in resolvers as plugins (entry points ``domain``, ``header``, ``session``).

Each plugin announces one resolver through ``tenantry_register_resolvers``; a project can
block any of them by its plugin name. Free of Django imports at module level, like every
entry-point module of this package: the work happens in :mod:`tenantry_django.routing`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import tenantry

__all__ = ["domain", "header", "session"]


def _domain_spec() -> tenantry.ResolverSpec:
    from tenantry_django.routing._domain import resolve_by_domain

    description = "static DOMAINS, then domain rows (with subfolders), then FALLBACK_DOMAINS"
    return tenantry.ResolverSpec("domain", resolve_by_domain, description, host_only=True)


def _header_spec() -> tenantry.ResolverSpec:
    from tenantry_django.routing._names import resolve_by_header

    return tenantry.ResolverSpec("header", resolve_by_header, "the TENANTRY_HEADER header")


def _session_spec() -> tenantry.ResolverSpec:
    from tenantry_django.routing._names import resolve_by_session

    return tenantry.ResolverSpec("session", resolve_by_session, "TENANTRY_SESSION_KEY's value")


class _BuiltinResolver:
    """A plugin announcing one built-in resolver."""

    def __init__(self, spec: Callable[[], tenantry.ResolverSpec]) -> None:
        self._spec = spec

    @tenantry.hookimpl
    def tenantry_register_resolvers(self) -> Iterable[tenantry.ResolverSpec]:
        return [self._spec()]


domain = _BuiltinResolver(_domain_spec)
header = _BuiltinResolver(_header_spec)
session = _BuiltinResolver(_session_spec)
