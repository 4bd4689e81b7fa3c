"""The built-in resolvers as plugins (entry points ``domain``, ``header``, ``session``).

Free of Django imports at module level, like every entry-point module of this package; the
work happens in :mod:`tenantry_django.resolvers`, imported on first call.
"""

from __future__ import annotations

import tenantry


class _BuiltinResolver:
    def __init__(self, function_name: str) -> None:
        self._function_name = function_name

    @tenantry.hookimpl
    def tenantry_resolve_tenant(self, request: tenantry.RequestInfo) -> tenantry.Resolution | None:
        from tenantry_django import resolvers

        result: tenantry.Resolution | None = getattr(resolvers, self._function_name)(request)
        return result


domain = _BuiltinResolver("resolve_by_domain")
header = _BuiltinResolver("resolve_by_header")
session = _BuiltinResolver("resolve_by_session")
