from __future__ import annotations

from django.apps import AppConfig
from django.core.signals import setting_changed


class TenantryDjangoConfig(AppConfig):
    name = "tenantry_django"
    label = "tenantry_django"
    verbose_name = "tenantry"

    def ready(self) -> None:
        from tenantry_django import _conf, _tenants_checks, checks, schemas, signals  # noqa: F401 - registers
        from tenantry_django._plugin_settings import apply_plugin_settings, on_setting_changed
        from tenantry_django.postgresql import _search_path

        apply_plugin_settings()
        for receiver in (
            on_setting_changed,
            _conf.on_setting_changed,
            _search_path.on_setting_changed,
            schemas.on_setting_changed,
        ):
            setting_changed.connect(receiver, dispatch_uid=f"tenantry:{receiver.__module__}")
