"""tenantry's benchmark project with the spare-schema pool (``TENANTRY_BENCH_SPARES`` spares)."""

import os

from benchmarks.tenant_creation.settings_tenantry import *  # noqa: F403

TENANTRY_SPARE_SCHEMAS = int(os.environ.get("TENANTRY_BENCH_SPARES", "0"))
