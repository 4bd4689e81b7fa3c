"""System checks for the spare-schema pool (``TENANTRY_SPARE_SCHEMAS``). Ids
``tenantry.E070`` to ``E079``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from tenantry_django.conf import get_settings

__all__ = ["check_spare_schemas", "spare_schema_errors"]

_HINT = 'Write a count, e.g. TENANTRY_SPARE_SCHEMAS = 5, or {"default": 5}; 0 turns it off.'


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


@register()
def check_spare_schemas(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return spare_schema_errors(settings.DATABASES)


def spare_schema_errors(databases: dict[str, Any]) -> list[CheckMessage]:
    current = get_settings()
    value = current.raw_spare_schemas
    if _is_count(value):
        if value and current.tenants.dynamic is None:
            return [_no_dynamic_tenants()]
        return []
    if not isinstance(value, dict):
        return [
            Error(
                f"TENANTRY_SPARE_SCHEMAS must be a count or a dict of database alias to count, "
                f"got {value!r}.",
                hint=_HINT,
                id="tenantry.E070",
            )
        ]
    errors: list[CheckMessage] = []
    for alias, count in value.items():
        if alias not in databases:
            errors.append(
                Error(
                    f"TENANTRY_SPARE_SCHEMAS names database {alias!r}, which is not in DATABASES.",
                    hint="Use aliases of DATABASES that dynamic tenants are created in.",
                    id="tenantry.E070",
                )
            )
        elif not _is_count(count):
            errors.append(
                Error(
                    f"TENANTRY_SPARE_SCHEMAS[{alias!r}] must be a count (an int >= 0), "
                    f"got {count!r}.",
                    hint=_HINT,
                    id="tenantry.E070",
                )
            )
    if not errors and any(value.values()) and current.tenants.dynamic is None:
        errors.append(_no_dynamic_tenants())
    return errors


def _no_dynamic_tenants() -> CheckMessage:
    return Error(
        "TENANTRY_SPARE_SCHEMAS asks for spare schemas but TENANTS has no dynamic tenants "
        '("default" entry): there is nothing to claim them.',
        hint='Set TENANTRY_SPARE_SCHEMAS = 0, or configure TENANTS["default"].',
        id="tenantry.E071",
    )
