"""What every migrate-fleet project shares: the tenant app, the database, the worker count."""

import os

from postgres_harness import django_database_settings

SECRET_KEY = "benchmark-only"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "sandbox.urls"  # empty: migrate's checks import it, nothing is served
ALLOWED_HOSTS = ["*"]
CORE_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
TENANT_APPS = ["sandbox.inventory"]  # 17 models, 20 migrations (21 with the added field)
DATABASE = django_database_settings(os.environ["TENANTRY_BENCH_DATABASE_URL"])
WORKERS = int(os.environ.get("TENANTRY_BENCH_WORKERS", "2"))
