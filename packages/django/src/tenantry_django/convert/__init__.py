"""Convert a project's django-tenants or django-pgschemas settings to tenantry's.

``python -m tenantry_django.convert --settings mysite.settings`` prints a settings block to
paste and every peer setting it could not map (``# MANUAL:`` lines). It reads the settings
through ``django.conf.settings`` without ``django.setup()``, so the project may still be
configured for the peer and need not have tenantry installed as an app. The migration guides
(docs/migrating/) explain each step.
"""

from __future__ import annotations

from typing import Any

from tenantry_django.convert._django_tenants import convert_django_tenants, uses_django_tenants
from tenantry_django.convert._pgschemas import convert_pgschemas, uses_pgschemas
from tenantry_django.convert._plan import Conversion

__all__ = ["Conversion", "NoPeerError", "convert_settings"]


class NoPeerError(ValueError):
    """The settings use neither django-tenants nor django-pgschemas."""


def convert_settings(settings: Any, settings_module: str) -> Conversion:
    """tenantry settings for ``settings`` (``django.conf.settings`` or any object with the
    same attributes) of a project configured for django-tenants or django-pgschemas."""
    dt = uses_django_tenants(settings)
    pg = uses_pgschemas(settings)
    if dt and pg:
        raise NoPeerError(
            f"{settings_module} is configured for both django-tenants and django-pgschemas; "
            "convert a settings module that uses one of them."
        )
    if dt:
        return convert_django_tenants(settings, settings_module)
    if pg:
        return convert_pgschemas(settings, settings_module)
    raise NoPeerError(
        f"{settings_module} uses neither django-tenants (django_tenants in INSTALLED_APPS, "
        "ENGINE django_tenants.postgresql_backend, TENANT_MODEL) nor django-pgschemas "
        "(django_pgschemas in INSTALLED_APPS, ENGINE django_pgschemas.postgresql); "
        "nothing to convert. Pass the settings module the project runs with (--settings)."
    )
