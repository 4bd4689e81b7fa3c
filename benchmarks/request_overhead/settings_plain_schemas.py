"""Plain Django reading each host's own copy of the notes table by its qualified name.

No tenancy library: the floor any schema-per-tenant design stands on. Rotating over 20
hosts touches 20 tables (and their indexes and catalog entries) where plain Django touches
one, and that costs the database server time of its own.
"""

from benchmarks.request_overhead.settings_common import *  # noqa: F403
from benchmarks.request_overhead.settings_common import CORE_APPS, DATABASE, TENANT_APPS

INSTALLED_APPS = CORE_APPS + TENANT_APPS
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", **DATABASE}}
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "benchmarks.request_overhead.urls_qualified"
