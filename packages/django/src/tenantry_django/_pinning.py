"""Querysets and instances of tenant apps keep the tenant they were made in.

Django pins an instance to the database it came from (``_state.db``). tenantry pins querysets
and instances of tenant apps to their tenant the same way, because both outlive the
``tenant_context`` they were made in (a lazy queryset handed to a template, an instance kept
in a cache or passed to a task): run in whatever tenant is active later, they would read or
write another tenant's rows.

The rules:

- A queryset of a tenant app is bound to the tenant active when it was created; its clones
  (``filter()``, ``values()``, ...) keep the binding. One created with no tenant active (a
  class attribute of a view or form) is unbound and follows the active tenant, as before.
- An instance remembers the tenant active when it was constructed (so: loaded) or first saved.
- A related manager works in its instance's tenant.
- Evaluating, saving, deleting or refreshing activates the bound tenant for the duration.
- Relating instances of two tenants, or mixing querysets of two tenants in one query, raises
  :class:`~tenantry_django.errors.CrossTenantError`.
- The backend's compilers refuse to run a bound query under another tenant, so a path this
  module does not pin fails loudly instead of running elsewhere.

This module holds the binding and those rules; ``_pinning_wrappers`` runs methods in their
binding, and ``_pinning_patches`` wraps Django's ORM methods with them once, at app loading.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from django.db.models import Model

from tenantry import Tenant, describe, get_current_tenant, tenant_context
from tenantry_django.conf import get_settings
from tenantry_django.errors import CrossTenantError

__all__ = [
    "ATTRIBUTE",
    "async_steps_in",
    "bind_instance",
    "check_query_runs_in_its_tenant",
    "check_relation",
    "is_pinned_model",
    "merge",
    "run_in",
    "same_place",
    "steps_in",
    "sync_steps_in",
    "tenant_of",
    "tenant_of_objects",
]

#: The attribute that carries the binding, on ``Query`` and ``ModelState`` objects.
ATTRIBUTE = "tenantry_tenant"

_DONE = object()  # what an exhausted iterator gives instead of an item


def is_pinned_model(model: type[Model]) -> bool:
    """Whether instances and querysets of ``model`` are pinned: it belongs to a tenant app."""
    return model._meta.app_label in get_settings().tenants.tenant_labels


def same_place(first: Tenant | None, second: Tenant | None) -> bool:
    if first is second:
        return True
    if first is None or second is None:
        return False
    return first.schema_name == second.schema_name and first.database == second.database


def tenant_of(obj: Any) -> Tenant | None:
    """The tenant a queryset or an instance of a tenant app is bound to, or ``None``."""
    if isinstance(obj, Model):
        if not is_pinned_model(type(obj)):
            return None
        tenant: Tenant | None = getattr(obj._state, ATTRIBUTE, None)
        return tenant
    query = getattr(obj, "_query", None) or getattr(obj, "query", None)
    return getattr(query, ATTRIBUTE, None)


def bind_instance(instance: Model, tenant: Tenant | None) -> None:
    setattr(instance._state, ATTRIBUTE, tenant)


def tenant_of_objects(objects: tuple[Any, ...]) -> Tenant | None:
    """The one tenant of the instances passed (in lists too), or None; two is an error."""
    found: Tenant | None = None
    for value in objects:
        for item in value if isinstance(value, (list, tuple, set)) else (value,):
            tenant = tenant_of(item) if isinstance(item, Model) else None
            if tenant is None:
                continue
            if found is not None and not same_place(found, tenant):
                raise CrossTenantError(
                    f"Cannot relate instances of tenants '{describe(found)}' and "
                    f"'{describe(tenant)}' in one call: each belongs to its own tenant."
                )
            found = tenant
    return found


def merge(outer: Any, inner_tenant: Tenant | None, action: str) -> None:
    """Put a query bound to ``inner_tenant`` inside ``outer``: adopt it, or refuse a mix."""
    if inner_tenant is None or outer is None:
        return
    outer_tenant = getattr(outer, ATTRIBUTE, None)
    if outer_tenant is None:
        setattr(outer, ATTRIBUTE, inner_tenant)
    elif not same_place(outer_tenant, inner_tenant):
        raise CrossTenantError(
            f"Cannot {action} a queryset of tenant '{describe(inner_tenant)}' with one of "
            f"tenant '{describe(outer_tenant)}': a query runs in one tenant's schema. "
            "Evaluate each in its own tenant and combine the results in Python."
        )


def check_relation(first: Model, second: Model) -> None:
    """Refuse to relate instances of two tenants; an unbound instance joins the other's."""
    first_tenant, second_tenant = tenant_of(first), tenant_of(second)
    if same_place(first_tenant, second_tenant):
        return
    if first_tenant is not None and second_tenant is not None:
        raise CrossTenantError(
            f"Cannot relate \"{first!r}\" of tenant '{describe(first_tenant)}' to "
            f"\"{second!r}\" of tenant '{describe(second_tenant)}': a row can only point at "
            "rows of its own tenant (or shared rows)."
        )
    # Like Django giving an instance with no database the database of what it is related to.
    if first_tenant is None and is_pinned_model(type(first)):
        bind_instance(first, second_tenant)
    elif second_tenant is None and is_pinned_model(type(second)):
        bind_instance(second, first_tenant)


def check_query_runs_in_its_tenant(query: Any) -> None:
    """The compilers' guard: a bound query never runs while another tenant is active."""
    bound: Tenant | None = getattr(query, ATTRIBUTE, None)
    if bound is None:
        return
    current = get_current_tenant()
    if same_place(bound, current):
        return
    where = "no tenant" if current is None else f"tenant '{describe(current)}'"
    raise CrossTenantError(
        f"A query of {query.model._meta.label if query.model else 'a model'} made in tenant "
        f"'{describe(bound)}' was about to run while {where} is active, through a path "
        "tenantry does not pin. Run it inside tenant_context() of its tenant."
    )


# --- running in the binding -----------------------------------------------------------------


def run_in(tenant: Tenant | None, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)`` with ``tenant`` active (``None``: whatever is active)."""
    if tenant is None or same_place(tenant, get_current_tenant()):
        return function(*args, **kwargs)  # the common case: nothing to switch
    with tenant_context(tenant):
        return function(*args, **kwargs)


def sync_steps_in(tenant: Tenant, iterator: Iterator[Any]) -> Iterator[Any]:
    """``iterator``'s items, each computed with ``tenant`` active."""
    # The tenant is active while the wrapped iterator computes an item and inactive while the
    # consumer holds it: a generator that stayed inside tenant_context across ``yield``
    # would leak the tenant into the consumer's code.
    try:
        while True:
            with tenant_context(tenant):
                item = next(iterator, _DONE)
            if item is _DONE:
                return
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


async def _next_step(tenant: Tenant, iterator: AsyncIterator[Any]) -> Any:
    with tenant_context(tenant):
        return await anext(iterator, _DONE)


async def async_steps_in(tenant: Tenant, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """:func:`sync_steps_in` for an asynchronous iterator."""
    try:
        while (item := await _next_step(tenant, iterator)) is not _DONE:
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def steps_in(tenant: Tenant, iterable: Any) -> Any:
    """``iterable`` (sync or async) with ``tenant`` active while each item is produced."""
    if hasattr(iterable, "__aiter__"):
        return async_steps_in(tenant, aiter(iterable))
    return sync_steps_in(tenant, iter(iterable))
