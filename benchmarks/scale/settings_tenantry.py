"""tenantry at scale: the migrate-fleet project, served (domains, middleware, one view).

The resolver cache lives 600 s here, longer than one pass over 10,000 hosts takes, so the
rotating requests measure the caches' size bounds, not their expiry: with the default 10 s a
host visited less often than every 10 s pays one domain query per visit, at any scale.
"""

from benchmarks.migrate_fleet.settings_tenantry import *  # noqa: F403
from benchmarks.migrate_fleet.settings_tenantry import DATABASES, SHARED_APPS, TENANT_APPS

DEBUG = False
ROOT_URLCONF = "benchmarks.scale.urls"
TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "default": {
        "TENANT_MODEL": "customers.Tenant",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": TENANT_APPS,
        "URLCONF": "benchmarks.scale.urls",
    },
}
DATABASES["default"]["CONN_MAX_AGE"] = None  # one persistent connection serves the requests
MIDDLEWARE = ["tenantry_django.middleware.TenantMiddleware"]
TENANTRY_RESOLVER_CACHE_SECONDS = 600
