from benchmarks.environment import peer_release
from benchmarks.migrate_fleet.settings_common import *  # noqa: F403
from benchmarks.migrate_fleet.settings_common import CORE_APPS, DATABASE, TENANT_APPS, WORKERS

PGSCHEMAS = peer_release("django-pgschemas")  # 1.1.0 or 1.3.2

SHARED_APPS = [*CORE_APPS, "django_pgschemas", "benchmarks.tenant_creation.pg_customers"]
INSTALLED_APPS = SHARED_APPS + TENANT_APPS
TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "default": {
        "TENANT_MODEL": "pg_customers.Tenant",
        "DOMAIN_MODEL": "pg_customers.Domain",
        "APPS": TENANT_APPS,
        "URLCONF": "sandbox.urls",
    },
}
DATABASES = {"default": {"ENGINE": "django_pgschemas.postgresql", **DATABASE}}
DATABASE_ROUTERS = ["django_pgschemas.routers.TenantAppsRouter"]
# The threads of its --parallel executor: 1.3.2 renamed the setting (reading the old name
# only for backwards compatibility).
if PGSCHEMAS == "1.1.0":
    PGSCHEMAS_PARALLEL_MAX_PROCESSES = WORKERS
else:
    PGSCHEMAS_PARALLEL_MAX_THREADS = WORKERS
