"""System check for ``TENANTRY_RECYCLE_AFTER_SCHEMAS``. Id ``tenantry.E060``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from tenantry_django.conf import get_settings

__all__ = ["check_connection_recycling"]


@register()
def check_connection_recycling(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        get_settings().recycle_after_schemas  # noqa: B018 - reading it validates it
    except ImproperlyConfigured as error:
        return [
            Error(
                str(error).removesuffix(" (tenantry.E060)."),
                hint="Write e.g. TENANTRY_RECYCLE_AFTER_SCHEMAS = 100 (the default), or None "
                "to keep connections whatever the schemas they served.",
                id="tenantry.E060",
            )
        ]
    return []
