"""Plain Django: no tenancy, the notes table in public."""

from benchmarks.request_overhead.settings_common import *  # noqa: F403
from benchmarks.request_overhead.settings_common import CORE_APPS, DATABASE, TENANT_APPS

INSTALLED_APPS = CORE_APPS + TENANT_APPS
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **DATABASE}}
MIDDLEWARE: list[str] = []
