"""Plain Django, no tenancy library: a schema made by CREATE SCHEMA and Django's own migrate
run with search_path pointing at it (contenttypes, auth and sessions migrate into it too)."""

from benchmarks.tenant_creation.settings_common import *  # noqa: F403
from benchmarks.tenant_creation.settings_common import CORE_APPS, DATABASE, TENANT_APPS

INSTALLED_APPS = CORE_APPS + TENANT_APPS
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **DATABASE}}
