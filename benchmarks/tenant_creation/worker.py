"""One library, one process: migrate public, then time creating tenants one by one.

    python -m benchmarks.tenant_creation.worker LIBRARY COUNT   (prints JSON)

The database comes from TENANTRY_BENCH_DATABASE_URL; TENANTRY_BENCH_CLONE=1 makes every
library create tenants by cloning a reference schema instead of migrating.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable

SETTINGS = {
    "tenantry": "benchmarks.tenant_creation.settings_tenantry",
    "django-tenants": "benchmarks.tenant_creation.settings_django_tenants",
    "django-pgschemas": "benchmarks.tenant_creation.settings_pgschemas",
}


def prepare(library: str, clone: bool) -> Callable[[str], None]:
    """Migrate public (and build the clone reference); return a tenant-creating function."""
    from django.core.management import call_command

    if library == "tenantry":
        from sandbox.customers.models import Tenant

        from tenantry_django.schemas import create_clone_reference

        call_command("migrate", verbosity=0, interactive=False)
        if clone:
            create_clone_reference()
        return lambda name: Tenant(schema_name=name).save()

    if library == "django-tenants":
        from benchmarks.tenant_creation.dt_customers.models import Client

        call_command("migrate_schemas", shared=True, verbosity=0, interactive=False)
        # The public schema is a tenant row in django-tenants.
        Client(schema_name="public", name="public").save(verbosity=0)
        if clone:
            Client(schema_name="sample").save(verbosity=0)  # TENANT_BASE_SCHEMA
        return lambda name: Client(schema_name=name).save(verbosity=0)

    from django_pgschemas.utils import create_schema, schema_exists

    from benchmarks.tenant_creation.pg_customers.models import Tenant as PgTenant

    # django-pgschemas 1.1.0's migrate command breaks under Django 5.2 from the command line
    # (KeyError: 'skip_checks', its issue 398); call_command works.
    call_command("migrate", verbosity=0, interactive=False)
    if clone and not schema_exists("sample"):  # its migrate may have made CLONE_REFERENCE
        create_schema("sample", sync_schema=True, verbosity=0)
    return lambda name: PgTenant(schema_name=name).save(verbosity=0)


def main() -> None:
    library, count = sys.argv[1], int(sys.argv[2])
    clone = os.environ.get("TENANTRY_BENCH_CLONE") == "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[library]
    import django

    django.setup()
    create = prepare(library, clone)
    create("warmup")  # imports, migration graph and caches: every library gets one
    timings = []
    for index in range(count):
        started = time.perf_counter()
        create(f"tenant_{index}")
        timings.append((time.perf_counter() - started) * 1000)
    from django.db import connection

    with connection.cursor() as cursor:  # proof the tenants exist, migrated
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename = 'notes_note' "
            "AND schemaname LIKE 'tenant\\_%%'"
        )
        (migrated,) = cursor.fetchone()
    print(json.dumps({"timings_ms": timings, "migrated": migrated}))


if __name__ == "__main__":
    main()
