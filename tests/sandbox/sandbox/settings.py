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

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "tenantry_django",
    "tenantry_cli",
]

_url = os.environ.get(
    "TENANTRY_SANDBOX_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/tenantry_sandbox"
)
DATABASES = {
    "default": {"ENGINE": "django.db.backends.postgresql", **django_database_settings(_url)},
}
