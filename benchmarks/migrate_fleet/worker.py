"""One project, one process, one step: set up the fleet, or time one migrate of it.

    python -m benchmarks.migrate_fleet.worker PROJECT (setup|migrate) SCHEMAS

Environment: TENANTRY_BENCH_DATABASE_URL (the project's own database),
TENANTRY_BENCH_WORKERS, and TENANTRY_BENCH_ADDED_FIELD=1 to load migration 0021.
"migrate" times the project's command (wall clock), verifies the result in SQL and prints
one JSON line. Every step is a fresh process: peak RSS is then per scenario, and migration
modules are imported once per process, so only a new process sees 0021.
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time

from benchmarks.driver import connect, quote_identifier
from benchmarks.migrate_fleet.projects import BY_NAME
from benchmarks.migrate_fleet.verify import verify

ADDED_FIELD = "TENANTRY_BENCH_ADDED_FIELD"
MIGRATIONS = 20  # inventory 0001-0020; 0021 with ADDED_FIELD


def schema_names(count: int) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"t{index:0{width}d}" for index in range(count)]


SCHEMAS_PER_STATEMENT = 1000  # CREATE SCHEMA statements sent in one string (one round trip)


def create_empty_schemas(url: str, schemas: list[str]) -> None:
    with connect(url, autocommit=False) as connection:  # one transaction, committed at exit
        for start in range(0, len(schemas), SCHEMAS_PER_STATEMENT):
            batch = schemas[start : start + SCHEMAS_PER_STATEMENT]
            connection.execute("\n".join(f"CREATE SCHEMA {quote_identifier(s)};" for s in batch))


def peak_rss_mib() -> tuple[float, float]:
    """This process's peak RSS and its largest finished child's (Linux reports KiB).

    Collect first: django-tenants never closes its multiprocessing pool, whose finalizer
    reaps the workers only once the pool is garbage; unreaped children are not counted.
    """
    gc.collect()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def inventory_tables() -> set[str]:
    from django.apps import apps

    models = apps.get_app_config("inventory").get_models(include_auto_created=True)
    return {model._meta.db_table for model in models}  # with the M2M tables


def main() -> None:
    project, step, count = BY_NAME[sys.argv[1]], sys.argv[2], int(sys.argv[3])
    os.environ["DJANGO_SETTINGS_MODULE"] = project.settings
    import django

    django.setup()
    url = os.environ["TENANTRY_BENCH_DATABASE_URL"]
    schemas = schema_names(count)
    if step == "setup":
        project.setup(schemas)
        create_empty_schemas(url, schemas)
        return
    started = time.perf_counter()
    project.migrate(schemas)
    seconds = time.perf_counter() - started
    own, children = peak_rss_mib()
    added = os.environ.get(ADDED_FIELD) == "1"
    verify(url, schemas, inventory_tables(), MIGRATIONS + added, added)
    print(json.dumps({"seconds": seconds, "rss_mib": own, "child_rss_mib": children}))


if __name__ == "__main__":
    main()
