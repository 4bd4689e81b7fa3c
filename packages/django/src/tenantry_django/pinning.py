"""Querysets and instances of tenant apps keep their tenant; read or change it explicitly.

A queryset of a tenant app is bound to the tenant active when it was created, an instance to
the tenant it was made, loaded or first saved in; used later under another tenant, or none,
they still run in their own (see the README's "Querysets and instances keep their tenant").
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet

from tenantry import Tenant
from tenantry_django._pinning import ATTRIBUTE, is_pinned_model, tenant_of

__all__ = ["bind", "tenant_of"]

T = TypeVar("T", Model, QuerySet[Any])


def bind(obj: T, tenant: Tenant) -> T:
    """``obj`` bound to ``tenant``: a queryset's clone, or the instance itself, rebound.

    The explicit way to use a queryset in another tenant, or to copy an instance there
    (``instance.pk = None; instance._state.adding = True; bind(instance, other).save()``).
    """
    if isinstance(obj, Model):
        _require_pinned(type(obj))
        setattr(obj._state, ATTRIBUTE, tenant)
        return obj
    if isinstance(obj, QuerySet):
        _require_pinned(obj.model)
        clone = obj.all()
        setattr(clone.query, ATTRIBUTE, tenant)
        return clone
    raise TypeError(f"bind() takes a model instance or a queryset, not {type(obj).__name__}")


def _require_pinned(model: type[Model]) -> None:
    if not is_pinned_model(model):
        raise TypeError(
            f"{model._meta.label} belongs to a shared app: its rows are not a tenant's, so "
            "there is nothing to bind."
        )
