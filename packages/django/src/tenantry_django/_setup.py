"""Whether tenantry is wired into the project: its backend on the databases tenants live in,
its router in ``DATABASE_ROUTERS``.

Without the backend a tenant's queries and migrations run in public (no search path is
sent); without the router ``migrate`` creates every app's tables in every schema, public
included, and tenant apps' queries without a tenant silently read public. Both are system
check errors (``tenantry.E023``, ``tenantry.E024``), and, because ``call_command("migrate")``
and code creating tenants run no checks, :func:`require_tenancy_setup` refuses before
anything is changed: Django's ``migrate`` (its ``pre_migrate`` signal, sent before any
migration runs), the migration engine and tenant creation call it. A check id listed in
``SILENCED_SYSTEM_CHECKS`` (a router that wraps tenantry's, say) is not enforced either.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error
from django.db.utils import load_backend
from django.utils.module_loading import import_string

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django.conf import DEFAULT_ORIGINAL_BACKEND, get_settings
from tenantry_django.errors import TenancySetupError

__all__ = [
    "ENGINE",
    "ENGINE_CHECK",
    "ROUTER",
    "ROUTER_CHECK",
    "SetupProblem",
    "refuse_migrate_when_misconfigured",
    "require_tenancy_setup",
    "setup_errors",
    "setup_problems",
    "uses_tenantry_backend",
    "uses_tenantry_router",
]

ENGINE = "tenantry_django.postgresql"
ROUTER = "tenantry_django.routers.TenantRouter"
ENGINE_CHECK = "tenantry.E023"
ROUTER_CHECK = "tenantry.E024"


@dataclass(frozen=True)
class SetupProblem:
    id: str
    msg: str
    hint: str


def uses_tenantry_backend(alias: str) -> bool:
    """Whether ``DATABASES[alias]`` uses tenantry's backend (or a backend built on it)."""
    engine = settings.DATABASES.get(alias, {}).get("ENGINE")
    if engine == ENGINE:
        return True
    try:
        wrapper = load_backend(str(engine)).DatabaseWrapper
    except Exception:
        return False
    return any(cls.__module__ == f"{ENGINE}.base" for cls in wrapper.__mro__)


def _router_class(entry: Any) -> Any:
    if isinstance(entry, str):
        try:
            return import_string(entry)
        except ImportError:
            return None  # Django reports it when it loads the routers
    return entry if isinstance(entry, type) else type(entry)


def uses_tenantry_router() -> bool:
    """Whether ``DATABASE_ROUTERS`` holds ``TenantRouter`` (or a subclass of it)."""
    from tenantry_django.routers import TenantRouter

    return any(
        isinstance(cls := _router_class(entry), type) and issubclass(cls, TenantRouter)
        for entry in settings.DATABASE_ROUTERS
    )


def _engine_problem(alias: str) -> SetupProblem:
    engine = settings.DATABASES.get(alias, {}).get("ENGINE")
    hint = f'Set DATABASES["{alias}"]["ENGINE"] = "{ENGINE}"'
    if engine and engine != DEFAULT_ORIGINAL_BACKEND:
        hint += f' and TENANTRY_ORIGINAL_BACKEND = "{engine}" (tenantry wraps it)'
    return SetupProblem(
        ENGINE_CHECK,
        f'DATABASES["{alias}"]["ENGINE"] is {engine!r}, not tenantry\'s backend: tenants in '
        "this database would share one search path, so their queries and migrations would "
        "run in the public schema.",
        hint + ".",
    )


ROUTER_PROBLEM = SetupProblem(
    ROUTER_CHECK,
    f"DATABASE_ROUTERS does not hold {ROUTER}: migrate would create every app's tables in "
    "every schema (public included), and tenant apps' queries without a tenant would read "
    "public.",
    f'Add "{ROUTER}" to DATABASE_ROUTERS.',
)


def setup_problems(databases: Iterable[str]) -> list[SetupProblem]:
    """What is missing for tenants to live in ``databases`` (aliases in ``DATABASES``)."""
    problems = [
        _engine_problem(alias)
        for alias in dict.fromkeys(databases)
        if alias in settings.DATABASES and not uses_tenantry_backend(alias)
    ]
    if not uses_tenantry_router():
        problems.append(ROUTER_PROBLEM)
    return problems


def _tenant_databases() -> list[str]:
    """The databases ``TENANTS`` places tenants in: public's and static tenants'."""
    config = get_settings().tenants
    return [config.public_database, *(static.database for static in config.statics.values())]


def setup_errors() -> list[CheckMessage]:
    """The problems as system check errors (``TENANTS`` is well-formed)."""
    return [Error(p.msg, hint=p.hint, id=p.id) for p in setup_problems(_tenant_databases())]


def require_tenancy_setup(action: str, databases: Iterable[str]) -> None:
    """Raise :class:`TenancySetupError` before ``action`` (``"migrate schema 'acme'"``) when
    tenants in ``databases`` cannot be kept apart; the message says the fix."""
    silenced = set(getattr(settings, "SILENCED_SYSTEM_CHECKS", ()))
    problems = [p for p in setup_problems(databases) if p.id not in silenced]
    if problems:
        reasons = " ".join(f"{p.msg} Fix: {p.hint} ({p.id})" for p in problems)
        raise TenancySetupError(f"Refusing to {action}; nothing was changed. {reasons}")


def refuse_migrate_when_misconfigured(sender: Any, using: str, **kwargs: Any) -> None:
    """``pre_migrate`` receiver: Django's migrate (also through ``call_command``, which runs
    no system checks) stops before its first migration."""
    if getattr(settings, "TENANTS", None) is None:
        return  # tenantry is installed but not configured: check tenantry.E010 says so
    tenant = get_current_tenant()
    if tenant is not None and tenant.schema_name != PUBLIC_SCHEMA:
        databases = [tenant.database]
    else:
        databases = [using] if using in _tenant_databases() else []
    require_tenancy_setup(f"migrate database {using!r}", databases)
