"""Settings of the sandbox project.

The database comes from ``TENANTRY_SANDBOX_DATABASE_URL``, which the test harness sets to a
fresh database name on the session's server before Django starts. Importing these settings
never starts or contacts a server (mypy's Django plugin imports them too).
"""

from __future__ import annotations

import os

from postgres_harness import django_database_settings

SECRET_KEY = "sandbox-only-not-secret"
DEBUG = False
USE_TZ = True
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "sandbox.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SHARED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "tenantry_django",
    "tenantry_cli",
    "tenantry_cache",
    "sandbox.customers",
]
INSTALLED_APPS = [*SHARED_APPS, "sandbox.notes", "sandbox.blog"]

TENANTS = {
    "public": {"APPS": SHARED_APPS},
    "www": {
        "APPS": ["sandbox.blog"],
        "URLCONF": "sandbox.urls_static",
        "DOMAINS": ["localhost", "tenants.localhost/www"],
        "FALLBACK_DOMAINS": ["tenants.localhost"],
        "HEADER": "main-site",
        "SESSION_KEY": "main-site",
    },
    # A static tenant in a database of its own.
    "archive": {
        "APPS": ["sandbox.blog"],
        "URLCONF": "sandbox.urls_static",
        "DOMAINS": ["archive.localhost"],
        "DATABASE": "other",
    },
    "default": {
        "TENANT_MODEL": "customers.Tenant",
        "DOMAIN_MODEL": "customers.Domain",
        "APPS": ["sandbox.notes"],
        "URLCONF": "sandbox.urls_dynamic",
        "WS_URLCONF": "sandbox.ws_urls",
        "CLONE_REFERENCE": "sample",
    },
}

_url = os.environ.get(
    "TENANTRY_SANDBOX_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tenantry_sandbox"
)
_database = {"ENGINE": "tenantry_django.postgresql", **django_database_settings(_url)}
DATABASES = {
    "default": _database,
    "other": {**_database, "NAME": f"{_database['NAME']}_other"},
}
DATABASE_ROUTERS = ["tenantry_django.routers.TenantRouter"]
# Every cache key carries the active tenant (the cache suites swap in other backends).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "KEY_FUNCTION": "tenantry_cache.make_key",
    }
}
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tenantry_django.middleware.TenantMiddleware",
]

# Websockets (tenantry_channels): `uvicorn sandbox.asgi:application`, one process, so an
# in-memory channel layer reaches every socket.
ASGI_APPLICATION = "sandbox.asgi.application"
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
