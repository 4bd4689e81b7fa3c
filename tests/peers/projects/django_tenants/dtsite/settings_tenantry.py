"""The same project on tenantry: the block printed by `python -m tenantry_django.convert
--settings dtsite.settings_peer`, pasted under the old settings, with the manual steps done
(the public tenant's domain served by a static tenant)."""

from dtsite.settings_peer import *  # noqa: F403
from dtsite.settings_peer import DATABASES

DATABASES["default"]["ENGINE"] = "tenantry_django.postgresql"
INSTALLED_APPS = [
    "tenantry_django",
    "customers",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "notes",
    "tenantry_cli",
]
DATABASE_ROUTERS = ["tenantry_django.routers.TenantRouter"]
MIDDLEWARE = [
    "tenantry_django.middleware.TenantMiddleware",
    "django.middleware.common.CommonMiddleware",
]
TENANTS = {
    "public": {
        "APPS": [
            "tenantry_django",
            "customers",
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "tenantry_cli",
        ]
    },
    # manual step: the public tenant's domain, served by a static tenant
    "www": {"APPS": [], "DOMAINS": ["main.test"], "URLCONF": "urls_home"},
    "default": {
        "TENANT_MODEL": "customers.Client",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": ["notes"],
    },
}
