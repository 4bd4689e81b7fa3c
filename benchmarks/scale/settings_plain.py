"""Plain Django at scale: the same view and tenant app, in public, for any host."""

from benchmarks.migrate_fleet.settings_plain import *  # noqa: F403
from benchmarks.migrate_fleet.settings_plain import DATABASES

DEBUG = False
ROOT_URLCONF = "benchmarks.scale.urls"
DATABASES["default"]["CONN_MAX_AGE"] = None
MIDDLEWARE: list[str] = []
