"""Checks that tenants, the clone reference and the extra search paths never share a schema.

Ids ``tenantry.E013`` (the clone reference's name), ``E018``, ``E019`` and ``E022``; run by
the checks registered in ``_tenants_checks``.
"""

from __future__ import annotations

from django.apps import apps
from django.core.checks import CheckMessage, Error
from django.db import DatabaseError, connections

from tenantry import PUBLIC_SCHEMA, SchemaNameError, validate_schema_name
from tenantry_django._conf import TenancyConfig

__all__ = ["dynamic_clash_errors", "reference_is_a_tenant", "reserved_name_errors"]


def reference_is_a_tenant(config: TenancyConfig, owner: str) -> CheckMessage:
    """``CLONE_REFERENCE`` names the schema of ``owner`` (a static or a dynamic tenant)."""
    reference = config.clone_reference()
    name = reference.schema_name if reference else ""
    return Error(
        f'TENANTS["default"]["CLONE_REFERENCE"] is {name!r}, the schema of {owner}: new '
        "tenants would be cloned from that tenant, rows included, and `createrefschema "
        "--recreate` would drop its data.",
        hint='Name a schema no tenant uses, e.g. "sample", then run `manage.py createrefschema`.',
        id="tenantry.E022",
    )


def _clone_reference_errors(config: TenancyConfig) -> list[CheckMessage]:
    reference = config.dynamic.clone_reference if config.dynamic else None
    if not reference:
        return []
    errors: list[CheckMessage] = []
    try:
        validate_schema_name(reference)
    except SchemaNameError as error:
        errors.append(Error(f'TENANTS["default"]["CLONE_REFERENCE"]: {error}', id="tenantry.E013"))
    if reference in config.statics:
        errors.append(reference_is_a_tenant(config, f"static tenant {reference!r}"))
    return errors


def reserved_name_errors(config: TenancyConfig) -> list[CheckMessage]:
    """The clone reference and the extra search paths against the settings' tenants."""
    taken = {PUBLIC_SCHEMA, *config.statics}
    if config.dynamic and config.dynamic.clone_reference:
        taken.add(config.dynamic.clone_reference)
    return _clone_reference_errors(config) + [
        Error(
            f"TENANTRY_EXTRA_SEARCH_PATHS contains {extra!r}, which is a "
            "tenant schema (public, a static tenant or the clone reference).",
            hint="Extra search paths hold shared objects such as "
            "extensions; use a schema of their own.",
            id="tenantry.E019",
        )
        for extra in config.extra_search_paths
        if extra in taken
    ]


def dynamic_clash_errors(config: TenancyConfig) -> list[CheckMessage]:
    """Dynamic tenants (rows in the public database) named as a static key or extra path."""
    if config.dynamic is None:
        return []
    tenant_model = apps.get_model(config.dynamic.tenant_model)
    # The clone reference is check_clone_reference_is_no_dynamic_tenant's (tenantry.E022).
    reserved = config.reserved_schema_names - {PUBLIC_SCHEMA}
    if config.dynamic.clone_reference:
        reserved -= {config.dynamic.clone_reference}
    try:
        clashes = sorted(
            tenant_model._default_manager.using(config.public_database)
            .filter(schema_name__in=reserved)
            .values_list("schema_name", flat=True)
        )
    except DatabaseError:
        connections[config.public_database].close_if_unusable_or_obsolete()
        return []  # not migrated yet: nothing can clash
    return [
        Error(
            f"Dynamic tenant schema {name!r} clashes with a static tenant key or an extra "
            "search path.",
            hint="Rename the static key (or the setting), or move the tenant to another schema.",
            id="tenantry.E018",
        )
        for name in clashes
    ]
