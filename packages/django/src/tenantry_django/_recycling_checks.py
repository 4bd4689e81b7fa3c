"""System check for ``TENANTRY_RECYCLE_AFTER_SCHEMAS``. Id ``tenantry.E060``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS

from tenantry_django.conf import get_settings

__all__ = ["check_connection_recycling"]


@register()
def check_connection_recycling(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    current = get_settings()
    try:
        current.recycle_after_schemas(DEFAULT_DB_ALIAS)  # reading it validates it
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error).removesuffix(" (tenantry.E060)."),
                hint="Write e.g. TENANTRY_RECYCLE_AFTER_SCHEMAS = 100 (the default), None to "
                'keep connections whatever the schemas they served, or {"default": 100, '
                '"reports": None} for a limit per database alias.',
                id="tenantry.E060",
            )
        ]
    raw = current.raw_recycle_after_schemas
    unknown = sorted(set(raw) - set(settings.DATABASES)) if isinstance(raw, dict) else []
    if unknown:
        return [
            Error(
                f"TENANTRY_RECYCLE_AFTER_SCHEMAS names database aliases not in DATABASES: "
                f"{', '.join(map(repr, unknown))}.",
                hint="Use the aliases of settings.DATABASES (a typo would leave the alias you "
                "meant at the default limit).",
                id="tenantry.E060",
            )
        ]
    return []
