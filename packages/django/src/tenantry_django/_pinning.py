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

Django offers no hook for "a queryset was created" or "a query is about to run", so this is
done by wrapping a small set of ORM methods once, at app loading (:func:`install`).
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, TypeVar

from django.db.models import Model
from django.db.models import query as query_module
from django.db.models.base import ModelState
from django.db.models.fields import related_descriptors
from django.db.models.sql import Query

from tenantry import Tenant, describe, get_current_tenant, tenant_context
from tenantry_django._conf import get_config
from tenantry_django.errors import CrossTenantError

F = TypeVar("F", bound=Callable[..., Any])

#: The attribute that carries the binding, on ``Query`` and ``ModelState`` objects.
ATTRIBUTE = "tenantry_tenant"

#: QuerySet methods that run SQL (or build queries that do), each run in the bound tenant.
_QUERYSET_METHODS = (
    "_fetch_all",
    "count",
    "exists",
    "aggregate",
    "update",
    "_update",
    "delete",
    "_raw_delete",
    "_insert",
    "bulk_update",
    "create",
    "get_or_create",
    "update_or_create",
    "explain",
)
#: Methods of related managers that write; reads go through their (bound) querysets.
_RELATED_MANAGER_METHODS = (
    "add",
    "remove",
    "clear",
    "set",
    "create",
    "get_or_create",
    "update_or_create",
)


def is_pinned_model(model: type[Model]) -> bool:
    """Whether instances and querysets of ``model`` are pinned: it belongs to a tenant app."""
    return model._meta.app_label in get_config().tenant_labels


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


def _bind_instance(instance: Model, tenant: Tenant | None) -> None:
    setattr(instance._state, ATTRIBUTE, tenant)


def _run_in(tenant: Tenant | None, function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    if tenant is None or same_place(tenant, get_current_tenant()):
        return function(*args, **kwargs)  # the common case: nothing to switch
    with tenant_context(tenant):
        return function(*args, **kwargs)


def _wrap_method(method: F, binding: Callable[[Any], Tenant | None]) -> F:
    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = binding(self)
        if tenant is None or same_place(tenant, get_current_tenant()):
            return method(self, *args, **kwargs)
        with tenant_context(tenant):
            return method(self, *args, **kwargs)

    pinned.__tenantry_pinned__ = True  # type: ignore[attr-defined]
    return pinned  # type: ignore[return-value]


def _wrap_generator(method: F, binding: Callable[[Any], Tenant | None]) -> F:
    """A generator method whose every step runs in the binding, and nothing around it does."""

    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        tenant = binding(self)
        generator = method(self, *args, **kwargs)
        if tenant is None:
            return generator
        return _steps_in(tenant, generator)

    pinned.__tenantry_pinned__ = True  # type: ignore[attr-defined]
    return pinned  # type: ignore[return-value]


def _steps_in(tenant: Tenant, iterator: Iterator[Any]) -> Iterator[Any]:
    # The tenant is active while the wrapped iterator computes an item and inactive while the
    # consumer holds it: a generator that stayed inside tenant_context across ``yield``
    # would leak the tenant into the consumer's code.
    try:
        while True:
            with tenant_context(tenant):
                try:
                    item = next(iterator)
                except StopIteration:
                    return
            yield item
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


async def _async_steps_in(tenant: Tenant, iterator: AsyncIterator[Any]) -> AsyncIterator[Any]:
    try:
        while True:
            with tenant_context(tenant):
                try:
                    item = await anext(iterator)
                except StopAsyncIteration:
                    return
            yield item
    finally:
        aclose = getattr(iterator, "aclose", None)
        if aclose is not None:
            await aclose()


def _wrap_async_generator(method: F, binding: Callable[[Any], Tenant | None]) -> F:
    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> AsyncIterator[Any]:
        tenant = binding(self)
        generator = method(self, *args, **kwargs)
        if tenant is None:
            return generator
        return _async_steps_in(tenant, generator)

    pinned.__tenantry_pinned__ = True  # type: ignore[attr-defined]
    return pinned  # type: ignore[return-value]


def steps_in(tenant: Tenant, iterable: Any) -> Any:
    """``iterable`` (sync or async) with ``tenant`` active while each item is produced."""
    if hasattr(iterable, "__aiter__"):
        return _async_steps_in(tenant, aiter(iterable))
    return _steps_in(tenant, iter(iterable))


# --- bindings -------------------------------------------------------------------------------


def _queryset_binding(queryset: Any) -> Tenant | None:
    tenant: Tenant | None = getattr(queryset._query, ATTRIBUTE, None)
    return tenant


def _raw_queryset_binding(queryset: Any) -> Tenant | None:
    tenant: Tenant | None = getattr(queryset.query, ATTRIBUTE, None)
    return tenant


def _instance_binding(instance: Model) -> Tenant | None:
    return tenant_of(instance)


def _hinted_tenant(hints: dict[str, Any]) -> Tenant | None:
    instance = hints.get("instance")
    return tenant_of(instance) if isinstance(instance, Model) else None


def _tenant_of_objects(objects: tuple[Any, ...]) -> Tenant | None:
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


def _wrap_related_manager_method(method: F) -> F:
    """A related manager works in its instance's tenant; a shared instance's manager (say,
    ``user.invoice_set``) in the tenant of the instances it is given, else the active one."""

    @functools.wraps(method)
    def pinned(self: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = tenant_of(self.instance) or _tenant_of_objects(args)
        return _run_in(tenant, method, self, *args, **kwargs)

    pinned.__tenantry_pinned__ = True  # type: ignore[attr-defined]
    return pinned  # type: ignore[return-value]


def _merge(outer: Any, inner_tenant: Tenant | None, action: str) -> None:
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
        _bind_instance(first, second_tenant)
    elif second_tenant is None and is_pinned_model(type(second)):
        _bind_instance(second, first_tenant)


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


# --- installing -----------------------------------------------------------------------------


def _patch_queryset() -> None:
    queryset_class: Any = query_module.QuerySet  # patched: typed loosely on purpose
    original_init = queryset_class.__init__

    def __init__(  # noqa: N807 - a method
        self: Any, model: Any = None, query: Any = None, using: Any = None, hints: Any = None
    ) -> None:
        original_init(self, model, query, using, hints)
        # A clone passes its query, which carries the binding; only a new one is bound here.
        if query is None and model is not None and is_pinned_model(model):
            tenant = _hinted_tenant(self._hints) or get_current_tenant()
            if tenant is not None:
                setattr(self._query, ATTRIBUTE, tenant)

    queryset_class.__init__ = __init__

    original_add_hints = queryset_class._add_hints

    def _add_hints(self: Any, **hints: Any) -> None:
        original_add_hints(self, **hints)
        # A related manager's queryset belongs to its instance's tenant.
        tenant = _hinted_tenant(hints)
        if tenant is not None and self.model is not None and is_pinned_model(self.model):
            setattr(self._query, ATTRIBUTE, tenant)

    queryset_class._add_hints = _add_hints

    for name in _QUERYSET_METHODS:
        method = getattr(queryset_class, name, None)
        if method is not None:
            setattr(queryset_class, name, _wrap_method(method, _queryset_binding))
    queryset_class._iterator = _wrap_generator(queryset_class._iterator, _queryset_binding)
    queryset_class.aiterator = _wrap_async_generator(queryset_class.aiterator, _queryset_binding)
    database_property = queryset_class.db
    assert isinstance(database_property, property)
    assert database_property.fget is not None
    queryset_class.db = property(_wrap_method(database_property.fget, _queryset_binding))

    original_bulk_create = queryset_class.bulk_create

    @functools.wraps(original_bulk_create)
    def bulk_create(self: Any, objs: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = _queryset_binding(self) or get_current_tenant()
        created = _run_in(tenant, original_bulk_create, self, objs, *args, **kwargs)
        if self.model is not None and is_pinned_model(self.model):
            for instance in created:
                # Inserted there: belongs there now (as Django sets each one's _state.db).
                _bind_instance(instance, tenant)
        return created

    queryset_class.bulk_create = bulk_create

    original_combinator = queryset_class._combinator_query

    def _combinator_query(self: Any, combinator: str, *other_qs: Any, **kwargs: Any) -> Any:
        for other in other_qs:
            _merge(self._query, _queryset_binding(other), combinator)
        return original_combinator(self, combinator, *other_qs, **kwargs)

    queryset_class._combinator_query = _combinator_query


def _patch_raw_queryset() -> None:
    raw_class: Any = query_module.RawQuerySet
    original_init = raw_class.__init__

    @functools.wraps(original_init)
    def __init__(  # noqa: N807 - a method
        self: Any, raw_query: Any, model: Any = None, query: Any = None, *args: Any, **kwargs: Any
    ) -> None:
        original_init(self, raw_query, model, query, *args, **kwargs)
        if query is None and model is not None and is_pinned_model(model):
            tenant = _hinted_tenant(self._hints) or get_current_tenant()
            if tenant is not None:
                setattr(self.query, ATTRIBUTE, tenant)

    raw_class.__init__ = __init__
    raw_class._fetch_all = _wrap_method(raw_class._fetch_all, _raw_queryset_binding)
    raw_class.iterator = _wrap_generator(raw_class.iterator, _raw_queryset_binding)
    original_using = raw_class.using

    def using(self: Any, alias: str) -> Any:
        chosen = original_using(self, alias)
        setattr(chosen.query, ATTRIBUTE, _raw_queryset_binding(self))
        return chosen

    raw_class.using = using


def _patch_query() -> None:
    setattr(Query, ATTRIBUTE, None)  # unbound unless a queryset binds it
    original_combine = Query.combine

    def combine(self: Any, rhs: Any, connector: str) -> Any:
        _merge(self, getattr(rhs, ATTRIBUTE, None), "combine")
        return original_combine(self, rhs, connector)

    Query.combine = combine  # type: ignore[method-assign]

    original_resolve = Query.resolve_expression

    def resolve_expression(self: Any, query: Any = None, *args: Any, **kwargs: Any) -> Any:
        # A subquery runs inside the outer query's statement, so in the outer's tenant.
        _merge(query, getattr(self, ATTRIBUTE, None), "use as a subquery")
        return original_resolve(self, query, *args, **kwargs)

    Query.resolve_expression = resolve_expression  # type: ignore[method-assign]


def _patch_model() -> None:
    setattr(ModelState, ATTRIBUTE, None)

    def _state_init(self: Any) -> None:
        # An instance belongs to the tenant it is made (or loaded) in; ignored for shared apps.
        tenant = get_current_tenant()
        if tenant is not None:
            setattr(self, ATTRIBUTE, tenant)

    ModelState.__init__ = _state_init  # type: ignore[method-assign]

    original_save_base = Model.save_base

    @functools.wraps(original_save_base)
    def save_base(self: Model, *args: Any, **kwargs: Any) -> None:
        if not is_pinned_model(type(self)):
            original_save_base(self, *args, **kwargs)
            return
        tenant = tenant_of(self)
        if tenant is None:
            original_save_base(self, *args, **kwargs)
            _bind_instance(self, get_current_tenant())  # saved in: remembered from now on
        else:
            _run_in(tenant, original_save_base, self, *args, **kwargs)

    Model.save_base = save_base  # type: ignore[method-assign]
    for name in ("delete", "refresh_from_db"):
        setattr(Model, name, _wrap_method(getattr(Model, name), _instance_binding))


def _pin_related_manager(manager_class: type) -> type:
    namespace: dict[str, Any] = {}
    for name in _RELATED_MANAGER_METHODS:
        method = getattr(manager_class, name, None)
        if method is not None and not getattr(method, "__tenantry_pinned__", False):
            namespace[name] = _wrap_related_manager_method(method)
    return type(manager_class.__name__, (manager_class,), namespace)


def _patch_related_manager_factory(module: Any, name: str) -> None:
    factory = getattr(module, name)
    if getattr(factory, "__tenantry_pinned__", False):
        return

    @functools.wraps(factory)
    def pinned_factory(*args: Any, **kwargs: Any) -> type:
        return _pin_related_manager(factory(*args, **kwargs))

    pinned_factory.__tenantry_pinned__ = True  # type: ignore[attr-defined]
    setattr(module, name, pinned_factory)


_installed = False


def install() -> None:
    """Pin querysets and instances of tenant apps (idempotent; called by the app config)."""
    global _installed
    if _installed:
        return
    _installed = True
    _patch_query()
    _patch_queryset()
    _patch_raw_queryset()
    _patch_model()
    _patch_related_manager_factory(related_descriptors, "create_reverse_many_to_one_manager")
    _patch_related_manager_factory(related_descriptors, "create_forward_many_to_many_manager")
    try:
        from django.contrib.contenttypes import fields as contenttypes_fields
    except ImportError:  # pragma: no cover - contenttypes is part of Django
        return
    _patch_related_manager_factory(contenttypes_fields, "create_generic_related_manager")
