"""ORM methods wrapped to run in the tenant their queryset, instance or manager is bound to.

A *binding* tells which tenant an object is bound to (``None``: unbound, follow the active
one); each wrapper looks it up per call and activates that tenant only when it differs from
the active one. ``_pinning_patches`` installs the wrappers on Django's classes.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model

from tenantry import Tenant, get_current_tenant, tenant_context
from tenantry_django._pinning import (
    ATTRIBUTE,
    async_steps_in,
    run_in,
    same_place,
    sync_steps_in,
    tenant_of,
    tenant_of_objects,
)

__all__ = [
    "PINNED_MARK",
    "Binding",
    "hinted_tenant",
    "instance_binding",
    "queryset_binding",
    "raw_queryset_binding",
    "wrap_async_generator",
    "wrap_generator",
    "wrap_method",
    "wrap_related_manager_method",
]

F = TypeVar("F", bound=Callable[..., Any])
Binding = Callable[[Any], Tenant | None]

#: Set on every wrapper, so that nothing is wrapped twice.
PINNED_MARK = "__tenantry_pinned__"


def queryset_binding(queryset: Any) -> Tenant | None:
    tenant: Tenant | None = getattr(queryset._query, ATTRIBUTE, None)
    return tenant


def raw_queryset_binding(queryset: Any) -> Tenant | None:
    tenant: Tenant | None = getattr(queryset.query, ATTRIBUTE, None)
    return tenant


def instance_binding(instance: Model) -> Tenant | None:
    return tenant_of(instance)


def hinted_tenant(hints: dict[str, Any]) -> Tenant | None:
    """The tenant of the instance a queryset's hints name (a related manager's), or None."""
    instance = hints.get("instance")
    return tenant_of(instance) if isinstance(instance, Model) else None


def _marked(wrapper: Callable[..., Any]) -> Any:
    setattr(wrapper, PINNED_MARK, True)
    return wrapper


def wrap_method(method: F, binding: Binding) -> F:
    if binding is queryset_binding:
        return _wrap_queryset_method(method)

    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        # run_in() written out: this runs on every query, one call less counts.
        tenant = binding(self)
        current = get_current_tenant()
        if tenant is None or tenant is current or same_place(tenant, current):
            return method(self, *args, **kwargs)
        with tenant_context(tenant):
            return method(self, *args, **kwargs)

    return _marked(pinned)


def _takes_self_only(method: Callable[..., Any]) -> bool:
    try:
        parameters = list(inspect.signature(method).parameters.values())
    except (TypeError, ValueError):  # no signature to read: keep the general wrapper
        return False
    return len(parameters) == 1 and parameters[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


def _wrap_queryset_method(method: F) -> F:
    """:func:`wrap_method` for a queryset's binding, read inline: every query runs this."""
    if _takes_self_only(method):
        return _wrap_queryset_method_of_self(method)

    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        # ``ATTRIBUTE`` read as an attribute: Query has it (None) once pinning is installed.
        tenant = self._query.tenantry_tenant
        current = get_current_tenant()
        if tenant is None or tenant is current or same_place(tenant, current):
            return method(self, *args, **kwargs)
        with tenant_context(tenant):
            return method(self, *args, **kwargs)

    return _marked(pinned)


def _wrap_queryset_method_of_self(method: F) -> F:
    """:func:`_wrap_queryset_method` for a method taking nothing but the queryset (``db``,
    ``_fetch_all``, ``count``, ``exists``): no argument tuple and dictionary to build and
    unpack, on the path of every query."""

    @functools.wraps(method)
    def pinned(self: Any) -> Any:
        tenant = self._query.tenantry_tenant
        current = get_current_tenant()
        if tenant is None or tenant is current or same_place(tenant, current):
            return method(self)
        with tenant_context(tenant):
            return method(self)

    return _marked(pinned)


def _wrap_iteration(method: F, binding: Binding, steps: Callable[[Tenant, Any], Any]) -> F:
    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = binding(self)
        generator = method(self, *args, **kwargs)
        return generator if tenant is None else steps(tenant, generator)

    return _marked(pinned)


def wrap_generator(method: F, binding: Binding) -> F:
    """A generator method whose every step runs in the binding, and nothing around it does."""
    return _wrap_iteration(method, binding, sync_steps_in)


def wrap_async_generator(method: F, binding: Binding) -> F:
    """:func:`wrap_generator` for an asynchronous generator method."""
    return _wrap_iteration(method, binding, async_steps_in)


def wrap_related_manager_method(method: F) -> F:
    """A related manager works in its instance's tenant; a shared instance's manager (say,
    ``user.invoice_set``) in the tenant of the instances it is given, else the active one."""

    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = tenant_of(self.instance) or tenant_of_objects(args)
        return run_in(tenant, method, self, *args, **kwargs)

    return _marked(pinned)
