"""What :class:`tenantry_django.models.DomainModel` is built from: the tenant model its
foreign key points at, its one-primary-per-tenant constraint, and domain values cleaned into
the form rows store."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from tenantry_django._domains import DomainError, normalize_domain
from tenantry_django.conf import get_settings

__all__ = ["ONE_PRIMARY_SUFFIX", "clean_domain", "is_one_primary", "tenant_model_reference"]

ONE_PRIMARY_SUFFIX = "_one_primary"


def is_one_primary(constraint: object) -> bool:
    """Whether ``constraint`` is DomainModel's one-primary-domain-per-tenant constraint."""
    return (
        isinstance(constraint, models.UniqueConstraint)
        and constraint.name is not None
        and constraint.name.endswith(ONE_PRIMARY_SUFFIX)
        and tuple(constraint.fields) == ("tenant",)
    )


def tenant_model_reference() -> str:
    """``TENANTS["default"]["TENANT_MODEL"]`` (``"app_label.Model"``), or "" when unset."""
    tenants = get_settings().raw_tenants or {}
    return str(tenants.get("default", {}).get("TENANT_MODEL", ""))


def clean_domain(value: object) -> str:
    """``value`` in the form requests are looked up in, or a ``ValidationError`` naming it."""
    try:
        return normalize_domain(value)
    except DomainError as error:
        # No params: the message names the value already, and a "%" in it must stay as typed.
        raise ValidationError(str(error), code="invalid_domain") from error
