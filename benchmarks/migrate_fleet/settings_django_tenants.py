from benchmarks.environment import peer_release
from benchmarks.migrate_fleet.settings_common import *  # noqa: F403
from benchmarks.migrate_fleet.settings_common import CORE_APPS, DATABASE, TENANT_APPS, WORKERS

# 3.14.0 and 4.0.1 document the same settings for what is used here.
DJANGO_TENANTS = peer_release("django-tenants")

SHARED_APPS = ["django_tenants", "benchmarks.tenant_creation.dt_customers", *CORE_APPS]
INSTALLED_APPS = SHARED_APPS + TENANT_APPS
TENANT_MODEL = "dt_customers.Client"
TENANT_DOMAIN_MODEL = "dt_customers.Domain"
DATABASES = {"default": {"ENGINE": "django_tenants.postgresql_backend", **DATABASE}}
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
TENANT_MULTIPROCESSING_MAX_PROCESSES = WORKERS  # read by --executor=multiprocessing only
