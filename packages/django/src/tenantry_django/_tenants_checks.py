"""System checks for ``TENANTS`` and the database setup. Ids ``tenantry.E010`` to ``E029``,
``tenantry.W001`` to ``W009``; every message says where the mistake is and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections

from tenantry import PUBLIC_SCHEMA, SchemaNameError, validate_schema_name
from tenantry_django._conf import (
    DYNAMIC_KEY,
    DYNAMIC_KEYS,
    STATIC_KEYS,
    get_config,
    parse_tenants,
)

ENGINE = "tenantry_django.postgresql"
ROUTER = "tenantry_django.routers.TenantRouter"
CONTENTTYPES = "django.contrib.contenttypes"
SESSIONS = "django.contrib.sessions"


def _app_label_of(model_reference: str) -> str | None:
    label, dot, name = model_reference.partition(".")
    return label if dot and name and "." not in name else None


def _structure_errors(tenants: Any) -> list[CheckMessage]:
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
        allowed = DYNAMIC_KEYS if key == DYNAMIC_KEY else STATIC_KEYS
        if not isinstance(entry, Mapping):
            errors.append(
                Error(f"TENANTS[{key!r}] must be a dict, got {entry!r}.", id="tenantry.E012")
            )
            continue
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
            continue
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
    dynamic = tenants.get(DYNAMIC_KEY)
    if isinstance(dynamic, Mapping):
        for setting in ("TENANT_MODEL", "DOMAIN_MODEL"):
            value = dynamic.get(setting)
            if (setting == "TENANT_MODEL" or value) and not (
                isinstance(value, str) and _app_label_of(value)
            ):
                errors.append(
                    Error(
                        f'TENANTS["default"]["{setting}"] must be '
                        f'"app_label.ModelName", got {value!r}.',
                        id="tenantry.E014",
                    )
                )
    return errors


def _placement_errors() -> list[CheckMessage]:
    config = get_config()
    errors: list[CheckMessage] = []
    installed = {c.name for c in apps.get_app_configs()} | {
        f"{type(c).__module__}.{type(c).__qualname__}" for c in apps.get_app_configs()
    }
    places = {"public": config.public.apps, **{k: s.apps for k, s in config.statics.items()}}
    if config.dynamic:
        places["default"] = config.dynamic.apps
    for key, listed in places.items():
        for app in listed:
            if app not in installed:
                errors.append(
                    Error(
                        f'TENANTS[{key!r}]["APPS"] lists {app!r}, which is not in INSTALLED_APPS.',
                        hint="Add it to INSTALLED_APPS or remove it from TENANTS.",
                        id="tenantry.E020",
                    )
                )
    if config.dynamic:
        for setting, reference in (
            ("TENANT_MODEL", config.dynamic.tenant_model),
            ("DOMAIN_MODEL", config.dynamic.domain_model),
        ):
            label = _app_label_of(reference or "")
            if label and label not in config.public_labels:
                errors.append(
                    Error(
                        f'The app of TENANTS["default"]["{setting}"] ({reference}) '
                        'is not in TENANTS["public"]["APPS"].',
                        hint="Tenant and domain rows are shared: add their app to the public APPS.",
                        id="tenantry.E015",
                    )
                )
    if CONTENTTYPES not in config.public.apps or any(
        CONTENTTYPES in apps_ for key, apps_ in places.items() if key != "public"
    ):
        errors.append(
            Error(
                f'{CONTENTTYPES} must be in TENANTS["public"]["APPS"] and in no tenant\'s APPS.',
                hint="Content types are shared: one table in "
                "public serves every tenant, so ids never differ between tenants.",
                id="tenantry.E016",
            )
        )
    user_app = settings.AUTH_USER_MODEL.partition(".")[0]
    user_places = {k for k, a in places.items() if user_app in config.app_labels(tuple(a))}
    session_places = {k for k, a in places.items() if SESSIONS in a}
    if session_places and session_places != user_places:
        errors.append(
            Error(
                f"The user model's app ({user_app}) is in {sorted(user_places)} but "
                f"{SESSIONS} is in {sorted(session_places)}.",
                hint="Sessions point at users: put both in the same TENANTS entries.",
                id="tenantry.E017",
            )
        )
    taken = {PUBLIC_SCHEMA, *config.statics}
    reference = config.dynamic.clone_reference if config.dynamic else None
    if reference:
        try:
            validate_schema_name(reference)
        except SchemaNameError as error:
            errors.append(
                Error(f'TENANTS["default"]["CLONE_REFERENCE"]: {error}', id="tenantry.E013")
            )
        if reference in config.statics:
            errors.append(_reference_is_a_tenant(f"static tenant {reference!r}"))
        taken.add(reference)
    for extra in config.extra_search_paths:
        if extra in taken:
            errors.append(
                Error(
                    f"TENANTRY_EXTRA_SEARCH_PATHS contains {extra!r}, which is a "
                    "tenant schema (public, a static tenant or the clone reference).",
                    hint="Extra search paths hold shared objects such as "
                    "extensions; use a schema of their own.",
                    id="tenantry.E019",
                )
            )
    for key, static in config.statics.items():
        if static.database not in settings.DATABASES:
            errors.append(
                Error(
                    f'TENANTS[{key!r}]["DATABASE"] is {static.database!r}, which '
                    "is not in DATABASES.",
                    id="tenantry.E021",
                )
            )
    return errors


def _reference_is_a_tenant(owner: str) -> CheckMessage:
    reference = get_config().clone_reference()
    name = reference.schema_name if reference else ""
    return Error(
        f'TENANTS["default"]["CLONE_REFERENCE"] is {name!r}, the schema of {owner}: new '
        "tenants would be cloned from that tenant, rows included, and `createrefschema "
        "--recreate` would drop its data.",
        hint='Name a schema no tenant uses, e.g. "sample", then run `manage.py createrefschema`.',
        id="tenantry.E022",
    )


def _setup_warnings() -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if not any(db.get("ENGINE") == ENGINE for db in settings.DATABASES.values()):
        warnings.append(
            Warning(
                f'No database uses ENGINE "{ENGINE}"; tenants will share one search path.',
                hint=f'Set DATABASES["default"]["ENGINE"] = "{ENGINE}".',
                id="tenantry.W001",
            )
        )
    if ROUTER not in getattr(settings, "DATABASE_ROUTERS", []):
        warnings.append(
            Warning(
                f"{ROUTER} is not in DATABASE_ROUTERS; migrate will put every app in every schema.",
                hint=f'Add "{ROUTER}" to DATABASE_ROUTERS.',
                id="tenantry.W002",
            )
        )
    config = get_config()
    listed = config.public_labels | config.tenant_labels
    for app_config in apps.get_app_configs():
        if app_config.label not in listed and any(True for _ in app_config.get_models()):
            warnings.append(
                Warning(
                    f"App {app_config.name!r} has models but is in no TENANTS "
                    "APPS; it is treated as shared (public).",
                    hint='List it in TENANTS["public"]["APPS"] or a tenant\'s APPS.',
                    id="tenantry.W003",
                )
            )
    return warnings


@register()
def check_tenants(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors = _structure_errors(getattr(settings, "TENANTS", None))
    if errors:
        return errors
    parse_tenants(getattr(settings, "TENANTS", None))  # well-formed now
    return _placement_errors() + _setup_warnings()


@register()
def check_clone_reference_is_no_dynamic_tenant(
    app_configs: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``CLONE_REFERENCE`` must not be a dynamic tenant's schema.

    Not a database-tagged check, which plain ``manage.py check`` skips: the tenant table is
    read when it can be (a database not reachable or not migrated yet has no such tenant).
    """
    if _structure_errors(getattr(settings, "TENANTS", None)):
        return []
    config = get_config()
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
    return [] if owner is None else [_reference_is_a_tenant(owner)]


@register(Tags.database)
def check_schema_names_in_database(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Static keys, extra paths and the clone reference must not be dynamic tenants' names."""
    if not databases or _structure_errors(getattr(settings, "TENANTS", None)):
        return []
    config = get_config()
    if config.dynamic is None or config.public_database not in databases:
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
