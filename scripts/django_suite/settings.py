"""The settings module ``runtests.py`` loads (``--settings=django_suite.settings``).

It is Django's own ``tests/test_sqlite.py`` with PostgreSQL databases ``default`` and
``other``, as Django's docs describe for running the suite on another backend. What differs
between the gate's runs comes from one environment variable (``running.py`` writes it), so
worker processes started with ``spawn`` read the same configuration.
"""

from __future__ import annotations

import json
import os

import tenantry

from . import CONFIG_VARIABLE

_config = json.loads(os.environ[CONFIG_VARIABLE])

DATABASES = _config["databases"]
SECRET_KEY = "django_tests_secret_key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = False
TEST_RUNNER = "django_suite.suite_runner.SuiteRunner"

# The tenant run: activated here, in the main thread, before Django creates the test
# databases, so migrations, fixtures and every test run with the tenant's search path.
# Forked workers inherit it; threads a test starts itself do not (a ContextVar).
if _config["tenant"]:
    tenantry.activate(tenantry.SchemaDescriptor(_config["tenant"]))
