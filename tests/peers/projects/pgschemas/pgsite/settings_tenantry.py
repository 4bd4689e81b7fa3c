"""The same project on tenantry: the block printed by `python -m tenantry_django.convert
--settings pgsite.settings_peer`, pasted under the old settings."""

from pgsite.settings_peer import *  # noqa: F403
from pgsite.settings_peer import DATABASES

DATABASES["default"]["ENGINE"] = "tenantry_django.postgresql"
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "tenantry_django",
    "customers",
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
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "tenantry_django",
            "customers",
            "tenantry_cli",
        ]
    },
    "www": {
        "APPS": ["notes"],
        "URLCONF": "urls_home",
        "DOMAINS": ["main.test"],
        "FALLBACK_DOMAINS": ["fallback.test"],
    },
    "default": {
        "TENANT_MODEL": "customers.Tenant",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": ["notes"],
        "URLCONF": "urls",
        "CLONE_REFERENCE": "sample",
    },
}
