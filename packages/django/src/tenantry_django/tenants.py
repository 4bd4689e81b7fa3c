"""Any tenant by name: a static tenant by its ``TENANTS`` key, a dynamic one by its schema.

    from tenantry_django.tenants import activate, get_tenant

    www = get_tenant("www")          # the static tenant's SchemaDescriptor
    acme = get_tenant("acme")        # the tenant model row whose schema_name is "acme"
    with activate("acme"):           # also ``async with``, and a decorator
        Note.objects.count()

The name is looked up when the block starts (each call of a decorated function looks it up
again), never when ``activate(...)`` is written, so decorating at import time queries nothing.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, overload

from asgiref.sync import sync_to_async
from django.apps import apps

from tenantry import Tenant, describe, tenant_context
from tenantry_django._catalog import DjangoTenantCatalog
from tenantry_django.conf import get_settings
from tenantry_django.errors import TenantryError

__all__ = ["UnknownTenantError", "activate", "get_tenant"]

P = ParamSpec("P")
R = TypeVar("R")


class UnknownTenantError(TenantryError, LookupError):
    """No tenant has this static key or schema name (in the database asked for)."""

    def __init__(self, name: str, message: str, candidates: tuple[str, ...] = ()) -> None:
        self.name = name
        self.candidates = candidates
        super().__init__(message)


def _unknown(name: str, database: str | None) -> UnknownTenantError:
    keys = [entry.key for entry in DjangoTenantCatalog().entries()]
    close = tuple(difflib.get_close_matches(name, keys, n=5, cutoff=0.6))
    hint = f" Did you mean: {', '.join(close)}?" if close else ""
    where = f" in database {database!r}" if database else ""
    return UnknownTenantError(
        name,
        f"No tenant {name!r}{where}: it is neither a key of TENANTS nor the schema_name of a "
        f"tenant row.{hint}",
        close,
    )


def _find(name: str) -> Tenant | None:
    config = get_settings().tenants
    static = config.statics.get(name) or (config.public if name == config.public.key else None)
    if static is not None:
        return static.descriptor
    if config.dynamic is None:
        return None
    tenant_model = apps.get_model(config.dynamic.tenant_model)
    found: Tenant | None = tenant_model._default_manager.filter(schema_name=name).first()
    return found


def get_tenant(key_or_schema: str, *, database: str | None = None) -> Any:
    """The tenant called ``key_or_schema``: a static tenant's ``SchemaDescriptor`` (its key in
    ``TENANTS``, ``"public"`` included) or the tenant model row with that ``schema_name``.

    ``database``: the alias the tenant must live in (``None``: wherever it lives).
    Raises :class:`UnknownTenantError` (a ``LookupError``) naming close names otherwise.
    """
    tenant = _find(key_or_schema)
    if tenant is None:
        raise _unknown(key_or_schema, database)
    if database is not None and tenant.database != database:
        raise UnknownTenantError(
            key_or_schema,
            f"Tenant {key_or_schema!r} lives in database {tenant.database!r}, not in "
            f"{database!r} ({describe(tenant)}). Pass database={tenant.database!r} or none.",
        )
    return tenant


class activate:  # noqa: N801 - used like a function: ``with activate("acme"):``
    """Activate the tenant ``get_tenant(key_or_schema, database=...)`` finds, for a block.

    Works as ``with``/``async with`` (the block gets the tenant) and as a decorator of plain
    and ``async def`` functions; nesting restores the tenant active before, also on error.
    An unknown name raises :class:`UnknownTenantError` before anything is activated.
    """

    __slots__ = ("_contexts", "database", "key_or_schema")

    def __init__(self, key_or_schema: str, *, database: str | None = None) -> None:
        self.key_or_schema = key_or_schema
        self.database = database
        self._contexts: list[tenant_context] = []

    def _enter(self, tenant: Tenant) -> Any:
        context = tenant_context(tenant)
        context.__enter__()
        self._contexts.append(context)
        return tenant

    def __enter__(self) -> Any:
        return self._enter(get_tenant(self.key_or_schema, database=self.database))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._contexts.pop().__exit__(exc_type, exc, traceback)

    async def __aenter__(self) -> Any:
        # The lookup may query the tenant model: off the event loop, as Django requires;
        # the activation itself happens here, in the caller's context.
        find = sync_to_async(get_tenant)
        return self._enter(await find(self.key_or_schema, database=self.database))

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    @overload
    def __call__(self, function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]: ...
    @overload
    def __call__(self, function: Callable[P, R]) -> Callable[P, R]: ...
    def __call__(self, function: Callable[P, Any]) -> Callable[P, Any]:
        name, database = self.key_or_schema, self.database
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                async with activate(name, database=database):
                    return await function(*args, **kwargs)

            return run_async

        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> Any:
            with activate(name, database=database):
                return function(*args, **kwargs)

        return run
