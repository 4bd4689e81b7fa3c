"""The one change the stress run makes to the sandbox's settings."""

from __future__ import annotations

from typing import Any

URLCONF = "sandbox.stress.urls"
WS_URLCONF = "sandbox.stress.ws_urls"
SETTINGS_MODULE = "sandbox.stress.settings"


def stress_tenants(tenants: dict[str, Any]) -> dict[str, Any]:
    """``TENANTS`` with the stress endpoints as the dynamic tenants' URLconfs."""
    dynamic = {**tenants["default"], "URLCONF": URLCONF, "WS_URLCONF": WS_URLCONF}
    return {**tenants, "default": dynamic}
