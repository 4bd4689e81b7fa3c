from benchmarks.request_overhead.settings_common import *  # noqa: F403
from benchmarks.request_overhead.settings_common import CORE_APPS, DATABASE, TENANT_APPS

SHARED_APPS = [*CORE_APPS, "tenantry_django", "sandbox.customers"]
INSTALLED_APPS = SHARED_APPS + TENANT_APPS
TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "default": {
        "TENANT_MODEL": "customers.Tenant",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": TENANT_APPS,
        "URLCONF": "benchmarks.request_overhead.urls",
    },
}
DATABASES = {"default": {"ENGINE": "tenantry_django.postgresql", **DATABASE}}
DATABASE_ROUTERS = ["tenantry_django.routers.TenantRouter"]
MIDDLEWARE = ["tenantry_django.middleware.TenantMiddleware"]
