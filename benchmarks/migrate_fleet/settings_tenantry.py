from benchmarks.migrate_fleet.settings_common import *  # noqa: F403
from benchmarks.migrate_fleet.settings_common import CORE_APPS, DATABASE, TENANT_APPS, WORKERS

SHARED_APPS = [*CORE_APPS, "tenantry_django", "tenantry_cli", "sandbox.customers"]
INSTALLED_APPS = SHARED_APPS + TENANT_APPS
TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "default": {
        "TENANT_MODEL": "customers.Tenant",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": TENANT_APPS,
    },
}
DATABASES = {"default": {"ENGINE": "tenantry_django.postgresql", **DATABASE}}
DATABASE_ROUTERS = ["tenantry_django.routers.TenantRouter"]
TENANTRY_PARALLEL_MAX_PROCESSES = WORKERS
