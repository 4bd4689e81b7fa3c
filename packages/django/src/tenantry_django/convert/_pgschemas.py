"""django-pgschemas settings -> tenantry settings (``TENANTS`` keeps pgschemas' shape)."""

from __future__ import annotations

import copy
from typing import Any

from tenantry_django._conf import DYNAMIC_KEY, DYNAMIC_KEYS, STATIC_KEYS
from tenantry_django.convert._plan import (
    MIDDLEWARE,
    ROUTER,
    Conversion,
    replace_in_list,
)

__all__ = ["convert_pgschemas", "uses_pgschemas"]

PEER = "django-pgschemas"
PEER_APP = "django_pgschemas"
PEER_ENGINES = frozenset({"django_pgschemas.postgresql", "django_pgschemas.postgresql_backend"})
PEER_ROUTER = "django_pgschemas.routers.TenantAppsRouter"
#: pgschemas' routing middleware -> the tenantry resolver asked in its place.
PEER_MIDDLEWARE = {
    "django_pgschemas.routing.middleware.DomainRoutingMiddleware": "domain",
    "django_pgschemas.routing.middleware.SessionRoutingMiddleware": "session",
    "django_pgschemas.routing.middleware.HeadersRoutingMiddleware": "header",
    # before 1.0
    "django_pgschemas.middleware.TenantMiddleware": "domain",
}
PEER_HEADER_DEFAULT = "tenant"

RENAMED = {
    "PGSCHEMAS_EXTRA_SEARCH_PATHS": "TENANTRY_EXTRA_SEARCH_PATHS",
    "PGSCHEMAS_ORIGINAL_BACKEND": "TENANTRY_ORIGINAL_BACKEND",
    "PGSCHEMAS_TENANT_SESSION_KEY": "TENANTRY_SESSION_KEY",
    "PGSCHEMAS_PARALLEL_MAX_THREADS": "TENANTRY_PARALLEL_MAX_PROCESSES",
    "PGSCHEMAS_PARALLEL_MAX_PROCESSES": "TENANTRY_PARALLEL_MAX_PROCESSES",
}

WITHOUT_EQUIVALENT = {
    "PGSCHEMAS_LIMIT_SET_CALLS": "delete it: tenantry sets the search path only when the "
    "tenant changes, always.",
    "PGSCHEMAS_PATHNAME_FUNCTION": "no equivalent: tenantry has no tenant-aware file storage; "
    "use a storage whose location reads tenantry.get_current_tenant().",
}


def uses_pgschemas(settings: Any) -> bool:
    """Whether the project is configured for django-pgschemas."""
    databases = getattr(settings, "DATABASES", {}) or {}
    return (
        PEER_APP in list(getattr(settings, "INSTALLED_APPS", []))
        or any(db.get("ENGINE") in PEER_ENGINES for db in databases.values())
        or PEER_ROUTER in list(getattr(settings, "DATABASE_ROUTERS", []))
    )


def convert_pgschemas(settings: Any, settings_module: str) -> Conversion:
    conversion = Conversion(PEER, settings_module)
    manual = conversion.manual
    conversion.assignments["INSTALLED_APPS"] = _with_tenantry_apps(list(settings.INSTALLED_APPS))
    conversion.engines = [
        alias
        for alias, db in (getattr(settings, "DATABASES", {}) or {}).items()
        if db.get("ENGINE") in PEER_ENGINES
    ]
    routers = replace_in_list(
        [str(r) for r in getattr(settings, "DATABASE_ROUTERS", [])], {PEER_ROUTER}, ROUTER
    )
    if ROUTER not in routers:
        routers.insert(0, ROUTER)
    conversion.assignments["DATABASE_ROUTERS"] = routers
    conversion.assignments["MIDDLEWARE"] = _middleware(settings, manual)
    conversion.assignments["TENANTS"] = _tenants(getattr(settings, "TENANTS", None), manual)
    _resolver_settings(settings, conversion.assignments)
    _renamed_settings(settings, conversion)
    for name, advice in WITHOUT_EQUIVALENT.items():
        if hasattr(settings, name):
            manual.append(f"{name}: {advice}")
    _contrib_steps(settings, manual)
    _model_steps(conversion.assignments["TENANTS"].get(DYNAMIC_KEY, {}), manual)
    return conversion


def _with_tenantry_apps(apps: list[str]) -> list[str]:
    """``apps`` with tenantry_django in django_pgschemas' place (first when absent) and
    tenantry_cli last."""
    converted = replace_in_list(apps, {PEER_APP}, "tenantry_django")
    if "tenantry_django" not in converted:
        converted.insert(0, "tenantry_django")
    converted.append("tenantry_cli")
    return converted


def _middleware(settings: Any, manual: list[str]) -> list[str]:
    """MIDDLEWARE with TenantMiddleware in place of pgschemas' routing middleware."""
    middleware = [str(m) for m in getattr(settings, "MIDDLEWARE", [])]
    converted = replace_in_list(middleware, frozenset(PEER_MIDDLEWARE), MIDDLEWARE)
    if MIDDLEWARE not in converted:
        converted.insert(0, MIDDLEWARE)
        manual.append(
            "no django-pgschemas routing middleware found: TenantMiddleware was put first in "
            "MIDDLEWARE; move it if your own tenant middleware must run before it."
        )
    return converted


def _resolver_settings(settings: Any, assignments: dict[str, Any]) -> None:
    """TENANTRY_RESOLVERS (and TENANTRY_HEADER) for the routing middleware pgschemas ran."""
    middleware = [str(m) for m in getattr(settings, "MIDDLEWARE", [])]
    resolvers = [PEER_MIDDLEWARE[m] for m in middleware if m in PEER_MIDDLEWARE]
    if resolvers and resolvers != ["domain"]:
        assignments["TENANTRY_RESOLVERS"] = list(dict.fromkeys(resolvers))
    if "header" in resolvers:
        # pgschemas reads the header "tenant" unless told otherwise; tenantry's default is
        # X-Tenant, so the old header name is kept explicitly.
        assignments["TENANTRY_HEADER"] = getattr(
            settings, "PGSCHEMAS_TENANT_HEADER", PEER_HEADER_DEFAULT
        )


def _renamed_settings(settings: Any, conversion: Conversion) -> None:
    """The settings with a one-to-one tenantry setting, under their tenantry name."""
    for old, new in RENAMED.items():
        if hasattr(settings, old):
            conversion.assignments[new] = getattr(settings, old)
    if hasattr(settings, "PGSCHEMAS_TENANT_DB_ALIAS"):
        conversion.manual.append(
            f"PGSCHEMAS_TENANT_DB_ALIAS={settings.PGSCHEMAS_TENANT_DB_ALIAS!r}: set "
            "TENANTS['public']['DATABASE'] to it and the tenant rows' `database` column to it."
        )


def _model_steps(dynamic: dict[str, Any], manual: list[str]) -> None:
    """The tenant and domain models' new base classes, when TENANTS names the models."""
    if dynamic.get("TENANT_MODEL"):
        manual.append(
            f"models: {dynamic['TENANT_MODEL']} subclasses tenantry_django.models.TenantModel "
            "instead of django_pgschemas.models.TenantModel, "
            f"{dynamic.get('DOMAIN_MODEL')} tenantry_django.models.DomainModel instead of "
            "django_pgschemas.routing.models.DomainModel; then `manage.py makemigrations` and "
            "`migrate` (the guide's step 4). Existing migrations import django_pgschemas' "
            "schema-name validator: replace it with "
            "tenantry_django.models.validate_tenant_schema_name before uninstalling "
            "django-pgschemas."
        )


def _tenants(tenants: Any, manual: list[str]) -> dict[str, Any]:
    if not isinstance(tenants, dict) or not isinstance(tenants.get("public"), dict):
        manual.append(
            "TENANTS is missing or has no 'public' entry: write TENANTS by hand "
            "(see the guide's mapping table)."
        )
        return {"public": {"APPS": ["tenantry_django", "tenantry_cli"]}}
    converted: dict[str, Any] = {}
    for key, entry in tenants.items():
        entry = copy.deepcopy(entry)
        allowed = DYNAMIC_KEYS if key == DYNAMIC_KEY else STATIC_KEYS
        for option in [option for option in entry if option not in allowed]:
            manual.append(
                f"TENANTS[{key!r}][{option!r}]: not a tenantry option for this entry; "
                f"removed (allowed: {', '.join(sorted(allowed))})."
            )
            del entry[option]
        if key == "public":
            entry["APPS"] = _with_tenantry_apps(list(entry.get("APPS", [])))
        elif PEER_APP in entry.get("APPS", []):
            entry["APPS"] = [app for app in entry["APPS"] if app != PEER_APP]
        converted[key] = entry
    if converted.get(DYNAMIC_KEY, {}).get("CLONE_REFERENCE"):
        manual.append(
            "CLONE_REFERENCE: keeps working: `migrate` (tenantry_cli) migrates the existing "
            "reference after the tenants; `manage.py createrefschema` builds it when missing."
        )
    return converted


def _contrib_steps(settings: Any, manual: list[str]) -> None:
    caches = getattr(settings, "CACHES", {}) or {}
    for alias, cache in caches.items():
        if str(cache.get("KEY_FUNCTION", "")).startswith(PEER_APP):
            manual.append(
                f"CACHES[{alias!r}]['KEY_FUNCTION']: use 'tenantry_cache.make_key' "
                "(pip install 'tenantry[cache]')."
            )
    asgi = str(getattr(settings, "ASGI_APPLICATION", "") or "")
    if asgi:
        manual.append(
            "Channels: django_pgschemas.contrib.channels routers become "
            "tenantry_channels.TenantProtocolRouter (pip install 'tenantry[channels]'); "
            "WS_URLCONF entries keep working."
        )
