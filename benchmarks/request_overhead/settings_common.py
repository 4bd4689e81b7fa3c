"""What the four benchmark projects share: the view, the tenant app, persistent connections."""

import os

from postgres_harness import django_database_settings

SECRET_KEY = "benchmark-only"
DEBUG = False
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "benchmarks.request_overhead.urls"
ALLOWED_HOSTS = ["*"]
CORE_APPS = ["django.contrib.contenttypes", "django.contrib.auth"]
TENANT_APPS = ["sandbox.notes"]
DATABASE = {
    **django_database_settings(os.environ["TENANTRY_BENCH_DATABASE_URL"]),
    "CONN_MAX_AGE": None,
}
