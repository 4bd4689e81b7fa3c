from __future__ import annotations

from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

__all__ = ["TenantryDjangoConfig"]


class TenantryDjangoConfig(AppConfig):
    name = "tenantry_django"
    label = "tenantry_django"
    verbose_name = "tenantry"

    def ready(self) -> None:
        from tenantry_django import (  # noqa: F401 - checks and signals register on import
            _pinning_patches,
            checks,
            conf,
            signals,
        )

        conf.configure_plugins()
        _pinning_patches.install()
        self._connect_cache_invalidation()
        self._refuse_migrate_when_misconfigured()
        # The one receiver: every setting tenantry reads, and each cache derived from them.
        setting_changed.connect(conf.on_setting_changed, dispatch_uid="tenantry:settings")

    def _refuse_migrate_when_misconfigured(self) -> None:
        """Django's migrate stops before its first migration without tenantry's backend or
        router (``call_command("migrate")`` runs no system checks to stop it)."""
        from django.db.models.signals import pre_migrate

        from tenantry_django._setup import refuse_migrate_when_misconfigured

        pre_migrate.connect(refuse_migrate_when_misconfigured, dispatch_uid="tenantry:setup")

    def _connect_cache_invalidation(self) -> None:
        """A change to a tenant or domain row clears this process's resolver caches."""
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from tenantry_django.conf import get_settings
        from tenantry_django.routing import clear_caches

        try:
            dynamic = get_settings().tenants.dynamic
        except ImproperlyConfigured:
            return  # the system checks explain what is wrong
        if dynamic is None:
            return
        for reference in (dynamic.tenant_model, dynamic.domain_model):
            try:
                model = apps.get_model(reference) if reference else None
            except (LookupError, ValueError):
                continue  # reported by the checks
            if model is None:
                continue
            for signal in (post_save, post_delete):
                signal.connect(
                    clear_caches,
                    sender=model,
                    dispatch_uid=f"tenantry:routing:{reference}:{signal}",
                )
