from django.apps import AppConfig

__all__ = ["TenantryCacheConfig"]


class TenantryCacheConfig(AppConfig):
    name = "tenantry_cache"
    verbose_name = "tenantry cache"

    def ready(self) -> None:
        from tenantry_cache import _checks  # noqa: F401 - registers the system checks
