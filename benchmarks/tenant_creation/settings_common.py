"""What the three benchmark projects share: the same tenant app and the same database."""

import os

from postgres_harness import django_database_settings

SECRET_KEY = "benchmark-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "sandbox.urls"
ALLOWED_HOSTS = ["*"]
CORE_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
]
TENANT_APPS = ["sandbox.notes"]  # the tenant app every library creates: 3 tables, a data migration
DATABASE = django_database_settings(os.environ["TENANTRY_BENCH_DATABASE_URL"])
CLONE = os.environ.get("TENANTRY_BENCH_CLONE") == "1"
