"""Checks of where ``TENANTS`` puts apps and tenants, once its shape is right.

Ids ``tenantry.E015`` to ``E017``, ``E020``, ``E021``, ``E025`` and ``W003``; run by
``check_tenants`` (``_tenants_checks``). The backend and the router are ``_setup``'s.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning

from tenantry_django._conf import TenancyConfig

__all__ = [
    "BOOKKEEPING_APPS",
    "app_label_of",
    "app_placement_errors",
    "database_errors",
    "unplaced_app_warnings",
]

#: tenantry's own apps with models (what ``migrate`` did, for operators): always shared, in
#: public, without being listed in ``TENANTS`` (the router treats unlisted apps as shared).
BOOKKEEPING_APPS = frozenset({"tenantry_cli"})
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
        + _bookkeeping_errors(places)
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


def _bookkeeping_errors(places: dict[str, tuple[str, ...]]) -> list[CheckMessage]:
    return [
        Error(
            f'TENANTS[{key!r}]["APPS"] lists {app!r}, tenantry\'s own bookkeeping app, '
            "whose rows describe every schema.",
            hint="It is shared without being listed: remove it from that tenant's APPS.",
            id="tenantry.E025",
        )
        for key, listed in places.items()
        if key != "public"
        for app in listed
        if app in BOOKKEEPING_APPS
    ]


def unplaced_app_warnings(config: TenancyConfig) -> list[CheckMessage]:
    """Apps with models that ``TENANTS`` does not place (tenantry's own apps are shared)."""
    listed = config.public_labels | config.tenant_labels
    return [
        Warning(
            f"App {app_config.name!r} has models but is in no TENANTS "
            "APPS; it is treated as shared (public).",
            hint='List it in TENANTS["public"]["APPS"] or a tenant\'s APPS.',
            id="tenantry.W003",
        )
        for app_config in apps.get_app_configs()
        if app_config.label not in listed
        and app_config.name not in BOOKKEEPING_APPS
        and any(True for _ in app_config.get_models())
    ]
