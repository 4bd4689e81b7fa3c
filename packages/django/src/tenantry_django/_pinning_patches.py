"""Django's ORM methods wrapped once, at app loading, so that pinning holds (:func:`install`).

Django offers no hook for "a queryset was created" or "a query is about to run", so a small
set of methods of ``QuerySet``, ``RawQuerySet``, ``Query``, ``Model`` and the related managers
is wrapped: new querysets and instances take their tenant, and whatever runs SQL runs in it
(the rules are ``_pinning``'s).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models import Model
from django.db.models import query as query_module
from django.db.models.base import ModelState
from django.db.models.fields import related_descriptors
from django.db.models.sql import Query

from tenantry import get_current_tenant
from tenantry_django._pinning import (
    ATTRIBUTE,
    bind_instance,
    is_pinned_model,
    merge,
    run_in,
    tenant_of,
)
from tenantry_django._pinning_wrappers import (
    PINNED_MARK,
    hinted_tenant,
    instance_binding,
    queryset_binding,
    raw_queryset_binding,
    wrap_async_generator,
    wrap_generator,
    wrap_method,
    wrap_related_manager_method,
)
from tenantry_django.conf import get_settings

__all__ = ["install"]

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


def _bind_new_querysets(queryset_class: Any) -> None:
    original_init = queryset_class.__init__

    def __init__(  # noqa: N807 - a method
        self: Any, model: Any = None, query: Any = None, using: Any = None, hints: Any = None
    ) -> None:
        original_init(self, model, query, using, hints)
        # A clone passes its query, which carries the binding; only a new one is bound here.
        # (Cheapest questions first: this runs for every queryset and every clone.)
        if query is None and model is not None:
            tenant = (hinted_tenant(hints) if hints else None) or get_current_tenant()
            # (is_pinned_model() written out)
            if tenant is not None and model._meta.app_label in get_settings().tenants.tenant_labels:
                setattr(self._query, ATTRIBUTE, tenant)

    queryset_class.__init__ = __init__

    original_add_hints = queryset_class._add_hints

    def _add_hints(self: Any, **hints: Any) -> None:
        original_add_hints(self, **hints)
        # A related manager's queryset belongs to its instance's tenant.
        tenant = hinted_tenant(hints)
        if tenant is not None and self.model is not None and is_pinned_model(self.model):
            setattr(self._query, ATTRIBUTE, tenant)

    queryset_class._add_hints = _add_hints


def _patch_queryset() -> None:
    queryset_class: Any = query_module.QuerySet  # patched: typed loosely on purpose
    _bind_new_querysets(queryset_class)
    for name in _QUERYSET_METHODS:
        method = getattr(queryset_class, name, None)
        if method is not None:
            setattr(queryset_class, name, wrap_method(method, queryset_binding))
    queryset_class._iterator = wrap_generator(queryset_class._iterator, queryset_binding)
    queryset_class.aiterator = wrap_async_generator(queryset_class.aiterator, queryset_binding)
    database_property = queryset_class.db
    assert isinstance(database_property, property)
    assert database_property.fget is not None
    queryset_class.db = property(wrap_method(database_property.fget, queryset_binding))

    original_bulk_create = queryset_class.bulk_create

    @functools.wraps(original_bulk_create)
    def bulk_create(self: Any, objs: Any, *args: Any, **kwargs: Any) -> Any:
        tenant = queryset_binding(self) or get_current_tenant()
        created = run_in(tenant, original_bulk_create, self, objs, *args, **kwargs)
        if self.model is not None and is_pinned_model(self.model):
            for instance in created:
                # Inserted there: belongs there now (as Django sets each one's _state.db).
                bind_instance(instance, tenant)
        return created

    queryset_class.bulk_create = bulk_create

    original_combinator = queryset_class._combinator_query

    def _combinator_query(self: Any, combinator: str, *other_qs: Any, **kwargs: Any) -> Any:
        for other in other_qs:
            merge(self._query, queryset_binding(other), combinator)
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
            tenant = hinted_tenant(self._hints) or get_current_tenant()
            if tenant is not None:
                setattr(self.query, ATTRIBUTE, tenant)

    raw_class.__init__ = __init__
    raw_class._fetch_all = wrap_method(raw_class._fetch_all, raw_queryset_binding)
    raw_class.iterator = wrap_generator(raw_class.iterator, raw_queryset_binding)
    original_using = raw_class.using

    def using(self: Any, alias: str) -> Any:
        chosen = original_using(self, alias)
        setattr(chosen.query, ATTRIBUTE, raw_queryset_binding(self))
        return chosen

    raw_class.using = using


def _patch_query() -> None:
    setattr(Query, ATTRIBUTE, None)  # unbound unless a queryset binds it
    original_combine = Query.combine

    def combine(self: Any, rhs: Any, connector: str) -> Any:
        merge(self, getattr(rhs, ATTRIBUTE, None), "combine")
        return original_combine(self, rhs, connector)

    Query.combine = combine  # type: ignore[method-assign]

    original_resolve = Query.resolve_expression

    def resolve_expression(self: Any, query: Any = None, *args: Any, **kwargs: Any) -> Any:
        # A subquery runs inside the outer query's statement, so in the outer's tenant.
        merge(query, getattr(self, ATTRIBUTE, None), "use as a subquery")
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
            bind_instance(self, get_current_tenant())  # saved in: remembered from now on
        else:
            run_in(tenant, original_save_base, self, *args, **kwargs)

    Model.save_base = save_base  # type: ignore[method-assign]
    for name in ("delete", "refresh_from_db"):
        setattr(Model, name, wrap_method(getattr(Model, name), instance_binding))


def _pin_related_manager(manager_class: type) -> type:
    namespace: dict[str, Any] = {}
    for name in _RELATED_MANAGER_METHODS:
        method = getattr(manager_class, name, None)
        if method is not None and not getattr(method, PINNED_MARK, False):
            namespace[name] = wrap_related_manager_method(method)
    return type(manager_class.__name__, (manager_class,), namespace)


def _patch_related_manager_factory(module: Any, name: str) -> None:
    factory = getattr(module, name)
    if getattr(factory, PINNED_MARK, False):
        return

    @functools.wraps(factory)
    def pinned_factory(*args: Any, **kwargs: Any) -> type:
        return _pin_related_manager(factory(*args, **kwargs))

    setattr(pinned_factory, PINNED_MARK, True)
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
