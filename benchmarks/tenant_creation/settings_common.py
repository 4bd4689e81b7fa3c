"""What the benchmark projects share: the same tenant app and the same database."""

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
# The tenant app every project creates (TENANTRY_BENCH_APP): sandbox.inventory (17 models,
# 20 migrations, a data migration and a RunSQL view), or sandbox.notes (3 tables, 2
# migrations, a data migration).
APP = os.environ.get("TENANTRY_BENCH_APP", "inventory")
TENANT_APPS = [f"sandbox.{APP}"]
DATABASE = django_database_settings(os.environ["TENANTRY_BENCH_DATABASE_URL"])
CLONE = os.environ.get("TENANTRY_BENCH_CLONE") == "1"
