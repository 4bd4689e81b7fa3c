"""Feeds ``TENANTRY_PLUGINS`` and ``TENANTRY_BLOCKED_PLUGINS`` to the core plugin manager.

Read when the app is ready and again whenever a test overrides either setting.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

import tenantry

PLUGIN_SETTINGS = frozenset({"TENANTRY_PLUGINS", "TENANTRY_BLOCKED_PLUGINS"})


def plugin_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "TENANTRY_PLUGINS", ()))


def blocked_plugins() -> tuple[str, ...]:
    return tuple(getattr(settings, "TENANTRY_BLOCKED_PLUGINS", ()))


def apply_plugin_settings() -> None:
    tenantry.configure_plugins(extra=plugin_paths(), blocked=blocked_plugins())


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in PLUGIN_SETTINGS:
        apply_plugin_settings()
