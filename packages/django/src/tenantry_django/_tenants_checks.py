"""System checks for ``TENANTS`` and the database setup. Ids ``tenantry.E010`` to ``E029``,
``tenantry.W003`` to ``W009``; every message says where the mistake is and how to fix it.

The shape of ``TENANTS`` is checked here (``E010`` to ``E014``); once it is right, where it
puts apps (``_placement_checks``) and whether schema names clash (``_schema_name_checks``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register

from tenantry import PUBLIC_SCHEMA, SchemaNameError, validate_schema_name
from tenantry_django._conf import DYNAMIC_KEY, DYNAMIC_KEYS, STATIC_KEYS
from tenantry_django._placement_checks import (
    app_label_of,
    app_placement_errors,
    database_errors,
    unplaced_app_warnings,
)
from tenantry_django._schema_name_checks import (
    dynamic_clash_errors,
    reference_is_a_tenant,
    reserved_name_errors,
)
from tenantry_django._setup import setup_errors
from tenantry_django.conf import get_settings

__all__ = [
    "check_clone_reference_is_no_dynamic_tenant",
    "check_schema_names_in_database",
    "check_tenants",
    "shape_errors",
]


def _entry_errors(key: Any, entry: Any) -> list[CheckMessage]:
    """One ``TENANTS`` entry: a dict of known keys with an ``APPS`` list."""
    allowed = DYNAMIC_KEYS if key == DYNAMIC_KEY else STATIC_KEYS
    if not isinstance(entry, Mapping):
        return [Error(f"TENANTS[{key!r}] must be a dict, got {entry!r}.", id="tenantry.E012")]
    errors: list[CheckMessage] = []
    unknown = sorted(set(entry) - allowed)
    if unknown:
        errors.append(
            Error(
                f"TENANTS[{key!r}] has unknown keys {unknown}.",
                hint=f"Allowed keys: {sorted(allowed)}.",
                id="tenantry.E012",
            )
        )
    if not isinstance(entry.get("APPS", []), (list, tuple)):
        errors.append(
            Error(f'TENANTS[{key!r}]["APPS"] must be a list of app names.', id="tenantry.E012")
        )
    if key in (PUBLIC_SCHEMA, DYNAMIC_KEY):
        return errors
    try:
        validate_schema_name(key)
    except SchemaNameError as error:
        errors.append(
            Error(
                f"Static tenant key {key!r} is not a valid schema name: {error.reason}.",
                hint="Static tenants are keyed by their schema name; rename the key.",
                id="tenantry.E013",
            )
        )
    return errors


def _model_reference_errors(dynamic: Mapping[str, Any]) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for setting in ("TENANT_MODEL", "DOMAIN_MODEL"):
        value = dynamic.get(setting)
        if (setting == "TENANT_MODEL" or value) and not (
            isinstance(value, str) and app_label_of(value)
        ):
            errors.append(
                Error(
                    f'TENANTS["default"]["{setting}"] must be "app_label.ModelName", '
                    f"got {value!r}.",
                    id="tenantry.E014",
                )
            )
    return errors


def shape_errors(tenants: Any) -> list[CheckMessage]:
    """``TENANTS`` as written: a dict with a public entry, each entry well-formed."""
    if not isinstance(tenants, Mapping):
        return [
            Error(
                "settings.TENANTS is missing or not a dict.",
                hint='Define TENANTS = {"public": {"APPS": [...]}, ...}.',
                id="tenantry.E010",
            )
        ]
    errors: list[CheckMessage] = []
    public = tenants.get(PUBLIC_SCHEMA)
    if not isinstance(public, Mapping) or not isinstance(public.get("APPS"), (list, tuple)):
        errors.append(
            Error(
                'TENANTS["public"] must be a dict with an "APPS" list.',
                hint="List the shared apps, e.g. contenttypes, auth and the app "
                "holding your tenant model.",
                id="tenantry.E011",
            )
        )
    for key, entry in tenants.items():
        errors += _entry_errors(key, entry)
    dynamic = tenants.get(DYNAMIC_KEY)
    if isinstance(dynamic, Mapping):
        errors += _model_reference_errors(dynamic)
    return errors


@register()
def check_tenants(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    current = get_settings()
    errors = shape_errors(current.raw_tenants)
    if errors:
        return errors
    config = current.tenants  # well-formed now
    return (
        app_placement_errors(config)
        + reserved_name_errors(config)
        + database_errors(config)
        + setup_errors()
        + unplaced_app_warnings(config)
    )


@register()
def check_clone_reference_is_no_dynamic_tenant(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``CLONE_REFERENCE`` must not be a dynamic tenant's schema.

    Not a database-tagged check, which plain ``manage.py check`` skips: the tenant table is
    read when it can be (a database not reachable or not migrated yet has no such tenant).
    """
    current = get_settings()
    if shape_errors(current.raw_tenants):
        return []
    config = current.tenants
    reference = config.clone_reference()
    if reference is None or config.dynamic is None or reference.schema_name in config.statics:
        return []  # the static case is reported by check_tenants
    from tenantry_django.schemas import schema_owner

    try:
        owner = schema_owner(reference.schema_name)  # None when the table cannot be read
    except (RuntimeError, AssertionError):
        # Test runners forbid database access where a test did not ask for it
        # (pytest-django raises RuntimeError, Django's SimpleTestCase an AssertionError): a
        # check that cannot read the table has nothing to report.
        return []
    return [] if owner is None else [reference_is_a_tenant(config, owner)]


@register(Tags.database)
def check_schema_names_in_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Static keys, extra paths and the clone reference must not be dynamic tenants' names."""
    current = get_settings()
    if not databases or shape_errors(current.raw_tenants):
        return []
    config = current.tenants
    if config.public_database not in databases:
        return []
    return dynamic_clash_errors(config)
