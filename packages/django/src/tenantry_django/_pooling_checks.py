"""System checks for ``TENANTRY_TRANSACTION_POOLING``. Ids ``tenantry.E050`` to ``E059``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from tenantry_django.conf import get_settings

__all__ = ["check_transaction_pooling", "pooling_errors"]

ENGINE = "tenantry_django.postgresql"


@register()
def check_transaction_pooling(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    return pooling_errors(settings.DATABASES)


def pooling_errors(databases: dict[str, Any]) -> list[CheckMessage]:
    current = get_settings()
    value = current.raw_transaction_pooling
    try:
        pooled = [alias for alias in databases if current.transaction_pooling(alias)]
    except ImproperlyConfigured as error:
        return [Error(str(error), hint='Write e.g. ["default"].', id="tenantry.E050")]
    errors: list[CheckMessage] = []
    if isinstance(value, (list, tuple, set, frozenset)):
        for alias in sorted(set(value) - set(databases)):
            errors.append(
                Error(
                    f"TENANTRY_TRANSACTION_POOLING names {alias!r}, which is not in DATABASES.",
                    hint="List aliases of DATABASES that reach PostgreSQL through the pooler.",
                    id="tenantry.E050",
                )
            )
    for alias in pooled:
        entry = databases[alias]
        if entry.get("ENGINE") != ENGINE:
            continue  # not tenantry's backend: no search path to carry
        if not entry.get("DISABLE_SERVER_SIDE_CURSORS"):
            # A named cursor outlives the transaction that declared it (WITH HOLD in
            # autocommit): the pooler may send the next FETCH to a server session where a
            # cursor of that name belongs to another client, and another tenant.
            errors.append(
                Error(
                    f"DATABASES[{alias!r}] is transaction-pooled but keeps server-side cursors.",
                    hint=f'Set DATABASES["{alias}"]["DISABLE_SERVER_SIDE_CURSORS"] = True, as '
                    "Django requires behind a transaction pooler.",
                    id="tenantry.E051",
                )
            )
    return errors
