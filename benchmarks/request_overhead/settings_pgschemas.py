from benchmarks.environment import peer_release
from benchmarks.request_overhead.settings_common import *  # noqa: F403
from benchmarks.request_overhead.settings_common import CORE_APPS, DATABASE, TENANT_APPS

PGSCHEMAS = peer_release("django-pgschemas")  # 1.1.0 or 1.3.2

SHARED_APPS = [*CORE_APPS, "django_pgschemas", "benchmarks.tenant_creation.pg_customers"]
INSTALLED_APPS = SHARED_APPS + TENANT_APPS
TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "default": {
        "TENANT_MODEL": "pg_customers.Tenant",
        "DOMAIN_MODEL": "pg_customers.Domain",
        "APPS": TENANT_APPS,
        "URLCONF": "benchmarks.request_overhead.urls",
    },
}
DATABASES = {"default": {"ENGINE": "django_pgschemas.postgresql", **DATABASE}}
DATABASE_ROUTERS = ["django_pgschemas.routers.TenantAppsRouter"]
MIDDLEWARE = ["django_pgschemas.routing.middleware.DomainRoutingMiddleware"]
