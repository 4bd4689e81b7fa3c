"""A small django-pgschemas project, configured as django-pgschemas' documentation shows."""

from database import DATABASE

SECRET_KEY = "peers-test-only"
DEBUG = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ALLOWED_HOSTS = [".test"]

TENANTS = {
    "public": {
        "APPS": [
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "django_pgschemas",
            "customers",
        ],
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
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django_pgschemas",
    "customers",
    "notes",
]
ROOT_URLCONF = "urls"
PGSCHEMAS_LIMIT_SET_CALLS = True

DATABASES = {"default": {"ENGINE": "django_pgschemas.postgresql", **DATABASE}}
DATABASE_ROUTERS = ["django_pgschemas.routers.TenantAppsRouter"]
MIDDLEWARE = [
    "django_pgschemas.routing.middleware.DomainRoutingMiddleware",
    "django.middleware.common.CommonMiddleware",
]
