"""Checks of where ``TENANTS`` puts apps and tenants, once its shape is right.

Ids ``tenantry.E015`` to ``E017``, ``E020``, ``E021`` and the setup warnings ``W001`` to
``W003``; run by ``check_tenants`` (``_tenants_checks``).
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from tenantry_django._conf import TenancyConfig

__all__ = ["app_label_of", "app_placement_errors", "database_errors", "setup_warnings"]

ENGINE = "tenantry_django.postgresql"
ROUTER = "tenantry_django.routers.TenantRouter"
CONTENTTYPES = "django.contrib.contenttypes"
SESSIONS = "django.contrib.sessions"


def app_label_of(model_reference: str) -> str | None:
    """``app_label`` of an ``"app_label.ModelName"`` reference; None when not one."""
    label, dot, name = model_reference.partition(".")
    return label if dot and name and "." not in name else None


def _places(config: TenancyConfig) -> dict[str, tuple[str, ...]]:
    """Each ``TENANTS`` key with the APPS it lists."""
    places = {"public": config.public.apps, **{k: s.apps for k, s in config.statics.items()}}
    if config.dynamic:
        places["default"] = config.dynamic.apps
    return places


def _not_installed_errors(places: dict[str, tuple[str, ...]]) -> list[CheckMessage]:
    installed = {c.name for c in apps.get_app_configs()} | {
        f"{type(c).__module__}.{type(c).__qualname__}" for c in apps.get_app_configs()
    }
    return [
        Error(
            f'TENANTS[{key!r}]["APPS"] lists {app!r}, which is not in INSTALLED_APPS.',
            hint="Add it to INSTALLED_APPS or remove it from TENANTS.",
            id="tenantry.E020",
        )
        for key, listed in places.items()
        for app in listed
        if app not in installed
    ]


def _model_app_errors(config: TenancyConfig) -> list[CheckMessage]:
    if not config.dynamic:
        return []
    errors: list[CheckMessage] = []
    for setting, reference in (
        ("TENANT_MODEL", config.dynamic.tenant_model),
        ("DOMAIN_MODEL", config.dynamic.domain_model),
    ):
        label = app_label_of(reference or "")
        if label and label not in config.public_labels:
            errors.append(
                Error(
                    f'The app of TENANTS["default"]["{setting}"] ({reference}) '
                    'is not in TENANTS["public"]["APPS"].',
                    hint="Tenant and domain rows are shared: add their app to the public APPS.",
                    id="tenantry.E015",
                )
            )
    return errors


def _shared_app_errors(
    config: TenancyConfig, places: dict[str, tuple[str, ...]]
) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
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
    return errors


def app_placement_errors(config: TenancyConfig) -> list[CheckMessage]:
    """Apps listed but not installed, and shared apps placed in tenants."""
    places = _places(config)
    return (
        _not_installed_errors(places)
        + _model_app_errors(config)
        + _shared_app_errors(config, places)
    )


def database_errors(config: TenancyConfig) -> list[CheckMessage]:
    return [
        Error(
            f'TENANTS[{key!r}]["DATABASE"] is {static.database!r}, which is not in DATABASES.',
            id="tenantry.E021",
        )
        for key, static in config.statics.items()
        if static.database not in settings.DATABASES
    ]


def setup_warnings(config: TenancyConfig) -> list[CheckMessage]:
    """The backend, the router, and apps with models that ``TENANTS`` does not place."""
    warnings: list[CheckMessage] = []
    if not any(db.get("ENGINE") == ENGINE for db in settings.DATABASES.values()):
        warnings.append(
            Warning(
                f'No database uses ENGINE "{ENGINE}"; tenants will share one search path.',
                hint=f'Set DATABASES["default"]["ENGINE"] = "{ENGINE}".',
                id="tenantry.W001",
            )
        )
    if ROUTER not in settings.DATABASE_ROUTERS:
        warnings.append(
            Warning(
                f"{ROUTER} is not in DATABASE_ROUTERS; migrate will put every app in every schema.",
                hint=f'Add "{ROUTER}" to DATABASE_ROUTERS.',
                id="tenantry.W002",
            )
        )
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
