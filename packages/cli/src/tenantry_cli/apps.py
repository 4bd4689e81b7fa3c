from __future__ import annotations

from django.apps import AppConfig

__all__ = ["TenantryCliConfig"]


class TenantryCliConfig(AppConfig):
    name = "tenantry_cli"
    label = "tenantry_cli"
    verbose_name = "tenantry commands"
    default_auto_field = "django.db.models.BigAutoField"
