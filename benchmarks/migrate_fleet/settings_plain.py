"""Plain Django, no tenancy library: the worker points search_path at each schema in turn.

No tenantry_cli here: it replaces the migrate command.
"""

from benchmarks.migrate_fleet.settings_common import *  # noqa: F403
from benchmarks.migrate_fleet.settings_common import CORE_APPS, DATABASE, TENANT_APPS

INSTALLED_APPS = CORE_APPS + TENANT_APPS
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **DATABASE}}
