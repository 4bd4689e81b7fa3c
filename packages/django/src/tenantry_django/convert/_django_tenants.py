"""django-tenants settings -> tenantry settings."""

from __future__ import annotations

from typing import Any

from tenantry_django.convert._plan import (
    MIDDLEWARE,
    ROUTER,
    Conversion,
    replace_in_list,
)

__all__ = ["convert_django_tenants", "uses_django_tenants"]

PEER = "django-tenants"
PEER_APP = "django_tenants"
PEER_ENGINE = "django_tenants.postgresql_backend"
PEER_ROUTER = "django_tenants.routers.TenantSyncRouter"
PEER_MIDDLEWARE = frozenset(
    {
        "django_tenants.middleware.TenantMiddleware",
        "django_tenants.middleware.main.TenantMainMiddleware",
        "django_tenants.middleware.TenantMainMiddleware",
        "django_tenants.middleware.subfolder.TenantSubfolderMiddleware",
        "django_tenants.middleware.suspicious.SuspiciousTenantMiddleware",
        "django_tenants.middleware.default.DefaultTenantMiddleware",
    }
)
SUBFOLDER_MIDDLEWARE = "django_tenants.middleware.subfolder.TenantSubfolderMiddleware"
CONTENTTYPES = "django.contrib.contenttypes"

#: Settings with a one-to-one tenantry setting.
RENAMED = {
    "PG_EXTRA_SEARCH_PATHS": "TENANTRY_EXTRA_SEARCH_PATHS",
    "ORIGINAL_BACKEND": "TENANTRY_ORIGINAL_BACKEND",
    "TENANT_MULTIPROCESSING_MAX_PROCESSES": "TENANTRY_PARALLEL_MAX_PROCESSES",
    "TENANT_MULTIPROCESSING_MAX_TASKS_PER_CHILD": "TENANTRY_TASKS_PER_PROCESS",
    "DEFAULT_NOT_FOUND_TENANT_VIEW": "TENANTRY_UNKNOWN_HOST_VIEW",
}

#: Settings with no tenantry equivalent, and what to do instead.
WITHOUT_EQUIVALENT = {
    "TENANT_LIMIT_SET_CALLS": "delete it: tenantry sets the search path only when the tenant "
    "changes, always.",
    "SKIP_PG_EXTRA_VALIDATION": "delete it: TENANTRY_EXTRA_SEARCH_PATHS is checked by "
    "`manage.py check` (tenantry.E019).",
    "TENANT_SYNC_ROUTER": "delete it: DATABASE_ROUTERS above names tenantry's router.",
    "TENANT_CREATION_FAKES_MIGRATIONS": "delete it: a tenant cloned from CLONE_REFERENCE keeps "
    "the reference's migration records; nothing is faked.",
    "TENANT_MIGRATION_ORDER": "no equivalent: `migrate` runs the tenants in schema order; "
    "order them with `runschema -s ...` selectors.",
    "TENANT_MULTIPROCESSING_CHUNKS": "no equivalent: the processes executor hands out one "
    "schema at a time.",
    "TENANT_SUBPROCESS_PARALLEL": "no equivalent: pick `--executor parallel` or "
    "`--executor processes` on `migrate`/`runschema`.",
    "GET_EXECUTOR_FUNCTION": "no equivalent setting: write an executor plugin "
    "(hook tenantry_register_executors) and pass `--executor NAME`.",
    "EXTRA_SET_TENANT_METHOD_PATH": "no equivalent setting: implement the "
    "`tenantry_tenant_activated` hook in a plugin (TENANTRY_PLUGINS) or receive "
    "tenantry_django.signals.schema_activated.",
    "TENANT_COLOR_ADMIN_APPS": "no equivalent: tenantry does not theme the admin.",
    "HAS_MULTI_TYPE_TENANTS": "no equivalent: dynamic tenants share one APPS list; put each "
    "tenant type with its own apps in a static tenant (TENANTS[key]) or merge the app lists.",
    "TENANT_TYPES": "no equivalent: see HAS_MULTI_TYPE_TENANTS.",
    "MULTI_TYPE_DATABASE_FIELD": "no equivalent: see HAS_MULTI_TYPE_TENANTS.",
    "MULTITENANT_STATICFILES_DIRS": "no equivalent: tenantry has no per-tenant static files "
    "finder; keep django-tenants' finder only if you keep the package installed.",
    "MULTITENANT_RELATIVE_STATIC_ROOT": "no equivalent: per-tenant static roots are not provided.",
    "MULTITENANT_RELATIVE_MEDIA_ROOT": "no equivalent: per-tenant media storage is not "
    "provided; use a storage whose location reads tenantry.get_current_tenant().",
    "MULTITENANT_TEMPLATE_DIRS": "no equivalent: tenantry has no per-tenant template loader.",
    "REWRITE_STATIC_URLS": "no equivalent: static URLs are not rewritten per tenant.",
}


def uses_django_tenants(settings: Any) -> bool:
    """Whether the project is configured for django-tenants."""
    databases = getattr(settings, "DATABASES", {}) or {}
    return (
        PEER_APP in list(getattr(settings, "INSTALLED_APPS", []))
        or any(db.get("ENGINE") == PEER_ENGINE for db in databases.values())
        or PEER_ROUTER in list(getattr(settings, "DATABASE_ROUTERS", []))
        or hasattr(settings, "TENANT_MODEL")
    )


def convert_django_tenants(settings: Any, settings_module: str) -> Conversion:
    conversion = Conversion(PEER, settings_module)
    manual = conversion.manual
    shared_apps = [str(app) for app in getattr(settings, "SHARED_APPS", [])]
    tenant_apps = [str(app) for app in getattr(settings, "TENANT_APPS", [])]
    if not shared_apps or not tenant_apps:
        manual.append(
            "SHARED_APPS or TENANT_APPS is missing: fill TENANTS['public']['APPS'] (shared) "
            "and TENANTS['default']['APPS'] (per tenant) by hand."
        )
    conversion.assignments["INSTALLED_APPS"] = _with_tenantry_apps(list(settings.INSTALLED_APPS))
    conversion.engines = [
        alias
        for alias, db in (getattr(settings, "DATABASES", {}) or {}).items()
        if db.get("ENGINE") == PEER_ENGINE
    ]
    conversion.assignments["DATABASE_ROUTERS"] = _routers(settings)
    conversion.assignments["MIDDLEWARE"] = _middleware(settings, manual)
    dynamic = _dynamic_tenant(settings, tenant_apps, manual)
    conversion.assignments["TENANTS"] = {
        "public": {"APPS": _with_tenantry_apps(shared_apps)},
        "default": dynamic,
    }
    _renamed_settings(settings, conversion)
    _public_tenant_steps(settings, manual)
    _models_and_leftover_steps(settings, dynamic, manual)
    return conversion


def _with_tenantry_apps(apps: list[str]) -> list[str]:
    """``apps`` with tenantry_django in django_tenants' place (first when absent) and
    tenantry_cli last."""
    converted = replace_in_list(apps, {PEER_APP}, "tenantry_django")
    if "tenantry_django" not in converted:
        converted.insert(0, "tenantry_django")
    converted.append("tenantry_cli")
    return converted


def _routers(settings: Any) -> list[str]:
    """DATABASE_ROUTERS with tenantry's router in place of the sync router (first when absent)."""
    sync_router = getattr(settings, "TENANT_SYNC_ROUTER", PEER_ROUTER)
    routers = replace_in_list(
        [str(r) for r in getattr(settings, "DATABASE_ROUTERS", [])],
        {PEER_ROUTER, sync_router},
        ROUTER,
    )
    if ROUTER not in routers:
        routers.insert(0, ROUTER)
    return routers


def _middleware(settings: Any, manual: list[str]) -> list[str]:
    """MIDDLEWARE with TenantMiddleware in place of django-tenants' middleware."""
    middleware = [str(m) for m in getattr(settings, "MIDDLEWARE", [])]
    if SUBFOLDER_MIDDLEWARE in middleware:
        prefix = getattr(settings, "TENANT_SUBFOLDER_PREFIX", "")
        manual.append(
            f"TenantSubfolderMiddleware (TENANT_SUBFOLDER_PREFIX={prefix!r}): tenantry routes "
            "subfolders per domain row: for each tenant store a domain row with domain=<your "
            "host> and folder=<the value django-tenants kept in Domain.domain>; URLs lose the "
            f"{prefix!r} prefix segment."
        )
    converted = replace_in_list(middleware, PEER_MIDDLEWARE, MIDDLEWARE)
    if MIDDLEWARE not in converted:
        converted.insert(0, MIDDLEWARE)
        manual.append(
            "no django-tenants middleware found: TenantMiddleware was put first in MIDDLEWARE; "
            "move it if your own tenant middleware must run before it."
        )
    return converted


def _dynamic_tenant(settings: Any, tenant_apps: list[str], manual: list[str]) -> dict[str, Any]:
    """TENANTS['default']: the tenant and domain models, TENANT_APPS and the base schema."""
    tenant_only = [app for app in tenant_apps if app != CONTENTTYPES]
    if CONTENTTYPES in tenant_apps:
        manual.append(
            f"{CONTENTTYPES} was in TENANT_APPS: tenantry keeps content types in public only "
            "(tenantry.E016), so it is left out of TENANTS['default']['APPS']; the tenant "
            "schemas' django_content_type tables are no longer used (drop them when you like)."
        )
    dynamic: dict[str, Any] = {
        "TENANT_MODEL": getattr(settings, "TENANT_MODEL", "<app>.<TenantModel>"),
        "DOMAIN_MODEL": getattr(settings, "TENANT_DOMAIN_MODEL", "<app>.<DomainModel>"),
        "APPS": tenant_only,
    }
    base_schema = getattr(settings, "TENANT_BASE_SCHEMA", None)
    if base_schema:
        dynamic["CLONE_REFERENCE"] = base_schema
        manual.append(
            f"TENANT_BASE_SCHEMA={base_schema!r} became CLONE_REFERENCE: run "
            "`manage.py createrefschema` once after `migrate` (migrate keeps an existing "
            "reference current but does not create it)."
        )
    return dynamic


def _renamed_settings(settings: Any, conversion: Conversion) -> None:
    """The settings with a one-to-one tenantry setting, under their tenantry name."""
    for old, new in RENAMED.items():
        if hasattr(settings, old):
            conversion.assignments[new] = getattr(settings, old)
    if hasattr(settings, "DEFAULT_NOT_FOUND_TENANT_VIEW"):
        conversion.manual.append(
            "DEFAULT_NOT_FOUND_TENANT_VIEW became TENANTRY_UNKNOWN_HOST_VIEW, which is called "
            "as view(request): for a class-based view name a module-level "
            "`view = MyView.as_view()` instead."
        )


def _models_and_leftover_steps(settings: Any, dynamic: dict[str, Any], manual: list[str]) -> None:
    """The model changes, the settings TENANTS replaces, and those without an equivalent."""
    manual.append(
        f"models: {dynamic['TENANT_MODEL']} subclasses tenantry_django.models.TenantModel "
        f"instead of TenantMixin, {dynamic['DOMAIN_MODEL']} DomainModel instead of "
        "DomainMixin; then `manage.py makemigrations` and `migrate` (the guide's step 4). "
        "Existing migrations import django_tenants' schema-name validator: replace it with "
        "tenantry_django.models.validate_tenant_schema_name before uninstalling django-tenants."
    )
    manual.append(
        "delete SHARED_APPS, TENANT_APPS, TENANT_MODEL and TENANT_DOMAIN_MODEL: TENANTS "
        "replaces them."
    )
    for name, advice in WITHOUT_EQUIVALENT.items():
        if hasattr(settings, name):
            manual.append(f"{name}: {advice}")


def _public_tenant_steps(settings: Any, manual: list[str]) -> None:
    public_name = getattr(settings, "PUBLIC_SCHEMA_NAME", "public")
    if public_name != "public":
        manual.append(
            f"PUBLIC_SCHEMA_NAME={public_name!r}: tenantry's shared schema is always 'public'; "
            f'rename it first (ALTER SCHEMA "{public_name}" RENAME TO public).'
        )
    urlconf = getattr(settings, "PUBLIC_SCHEMA_URLCONF", None)
    manual.append(
        f"the public tenant row (schema_name={public_name!r}) and its domain rows: tenantry "
        "has no tenant row for public and never serves public by host. Delete the row (its "
        "domains go with it) before `migrate`, and serve its domains from a static tenant: "
        "TENANTS['www'] = {'APPS': [], 'DOMAINS': [<those domains>]"
        + (f", 'URLCONF': {urlconf!r}" if urlconf else "")
        + "} (placed before 'default')."
    )
    if getattr(settings, "SHOW_PUBLIC_IF_NO_TENANT_FOUND", False):
        manual.append(
            "SHOW_PUBLIC_IF_NO_TENANT_FOUND: no equivalent: an unknown host is a 404 (or "
            "TENANTRY_UNKNOWN_HOST_VIEW), never public; list the hosts to serve in a static "
            "tenant's FALLBACK_DOMAINS."
        )
    elif hasattr(settings, "SHOW_PUBLIC_IF_NO_TENANT_FOUND"):
        manual.append("SHOW_PUBLIC_IF_NO_TENANT_FOUND: delete it (unknown hosts are a 404).")
    if hasattr(settings, "TENANT_DB_ALIAS") and settings.TENANT_DB_ALIAS != "default":
        manual.append(
            f"TENANT_DB_ALIAS={settings.TENANT_DB_ALIAS!r}: set TENANTS['public']['DATABASE'] "
            "to it and the tenant rows' `database` column to it."
        )
    for name in ("TENANT_SUBFOLDER_PREFIX", "PUBLIC_SCHEMA_URLCONF", "PUBLIC_SCHEMA_NAME"):
        if hasattr(settings, name):
            manual.append(f"{name}: delete it once the step above is done.")
