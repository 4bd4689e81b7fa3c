"""System checks for the plugin settings. Ids ``tenantry.E001`` to ``E009``."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

import tenantry
from tenantry_django.conf import get_settings

__all__ = ["check_plugin_settings"]


def _string_list_errors(name: str, value: Any, check_id: str) -> list[CheckMessage]:
    if isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        return []
    return [
        Error(
            f"{name} must be a list of strings, got {value!r}.",
            hint=f'Write e.g. {name} = ["my_package.tenantry_plugin"].',
            id=check_id,
        )
    ]


@register()
def check_plugin_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    current = get_settings()
    errors = _string_list_errors("TENANTRY_PLUGINS", current.raw_plugins, "tenantry.E001")
    errors += _string_list_errors(
        "TENANTRY_BLOCKED_PLUGINS", current.raw_blocked_plugins, "tenantry.E002"
    )
    if errors:
        return errors
    for dotted_path in current.plugins:
        try:
            # Imported as core imports it when loading plugins, so the two never disagree.
            tenantry.import_object(dotted_path)
        except tenantry.PluginError as error:
            errors.append(
                Error(
                    str(error),
                    hint="Fix the dotted path in TENANTRY_PLUGINS or install the package.",
                    id="tenantry.E003",
                )
            )
    return errors
