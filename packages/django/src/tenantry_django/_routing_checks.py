"""System checks for request routing. Ids ``tenantry.E030`` to ``E039``, ``W010`` to ``W019``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

import tenantry
from tenantry_django.conf import get_settings

__all__ = ["check_routing"]

MIDDLEWARE = "tenantry_django.middleware.TenantMiddleware"
SESSION_MIDDLEWARE = "django.contrib.sessions.middleware.SessionMiddleware"


def _unknown_resolver_errors(names: list[str], available: set[str]) -> list[CheckMessage]:
    return [
        Error(
            f"TENANTRY_RESOLVERS names {name!r}, which no installed plugin provides.",
            hint=f"Available resolvers: {', '.join(sorted(available))}.",
            id="tenantry.E031",
        )
        for name in names
        if name not in available
    ]


def _middleware_errors(names: list[str]) -> list[CheckMessage]:
    middleware = list(settings.MIDDLEWARE or [])
    if MIDDLEWARE not in middleware:
        return [
            Warning(
                f"{MIDDLEWARE} is not in MIDDLEWARE: requests are never routed to a tenant.",
                hint="Add it near the top of MIDDLEWARE.",
                id="tenantry.W010",
            )
        ]
    if "session" in names and (
        SESSION_MIDDLEWARE not in middleware
        or middleware.index(SESSION_MIDDLEWARE) > middleware.index(MIDDLEWARE)
    ):
        return [
            Error(
                'The "session" resolver needs SessionMiddleware before TenantMiddleware.',
                hint=f"Put {SESSION_MIDDLEWARE} above {MIDDLEWARE} in MIDDLEWARE.",
                id="tenantry.E032",
            )
        ]
    return []


@register()
def check_routing(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    names = get_settings().raw_resolvers
    if not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names):
        return [
            Error(
                f"TENANTRY_RESOLVERS must be a list of resolver names, got {names!r}.",
                hint='e.g. TENANTRY_RESOLVERS = ["domain"]',
                id="tenantry.E030",
            )
        ]
    try:
        available = set(tenantry.get_resolvers())
    except tenantry.PluginError as error:
        return [Error(str(error), id="tenantry.E031")]
    return _unknown_resolver_errors(list(names), available) + _middleware_errors(list(names))
