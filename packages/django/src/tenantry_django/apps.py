from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed


class TenantryDjangoConfig(AppConfig):
    name = "tenantry_django"
    label = "tenantry_django"
    verbose_name = "tenantry"

    def ready(self) -> None:
        from tenantry_django import checks  # noqa: F401 - registers the system checks
        from tenantry_django._plugin_settings import apply_plugin_settings, on_setting_changed

        apply_plugin_settings()
        setting_changed.connect(on_setting_changed, dispatch_uid="tenantry_plugin_settings")
