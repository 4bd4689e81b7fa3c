"""System checks for tenantry's own settings. Ids are ``tenantry.E0xx``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

import tenantry


def _string_list_errors(name: str, check_id: str) -> list[CheckMessage]:
    value = getattr(settings, name, ())
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
    errors = _string_list_errors("TENANTRY_PLUGINS", "tenantry.E001")
    errors += _string_list_errors("TENANTRY_BLOCKED_PLUGINS", "tenantry.E002")
    if errors:
        return errors
    for dotted_path in getattr(settings, "TENANTRY_PLUGINS", ()):
        try:
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
