"""One library, one process: migrate public, then time creating tenants one by one.

    python -m benchmarks.tenant_creation.worker LIBRARY COUNT   (prints JSON)

The database comes from TENANTRY_BENCH_DATABASE_URL; TENANTRY_BENCH_CLONE=1 makes every
library create tenants by cloning a reference schema instead of migrating.

After timing, the tenants are checked in SQL (untimed): each has the notes app's three tables,
its two migrations recorded and the "welcome" tag of its data migration; and each was made the
way the run claims: a clone carries the reference schema's migration records (the same
``applied`` times), a migrated schema records its own, later ones.
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

    from benchmarks.tenant_creation.pg_customers.models import Tenant as PgTenant

    # Its migrate, never interactive, migrates every schema it knows: public, and with
    # CLONE_REFERENCE set, creates and migrates the reference too. In-process: from the
    # command line 1.1.0's migrate fails under Django 5.2 (KeyError: 'skip_checks'), which
    # 1.3.2 fixed; call_command works with both.
    call_command("migrate", verbosity=0, interactive=False)
    if clone:  # its documented command for the reference (a no-op when migrate made it)
        call_command("createrefschema", verbosity=0)
    return lambda name: PgTenant(schema_name=name).save(verbosity=0)


NOTES_TABLES = ("notes_note", "notes_note_tags", "notes_tag")
NOTES_MIGRATIONS = 2  # 0001_initial, 0002_welcome_tag (a data migration)


def verify(count: int, clone: bool) -> list[str]:
    """Problems with the N timed tenants (none: each is complete and made as claimed)."""
    from django.db import connection

    from benchmarks.driver import quote_identifier

    # A clone copies the reference's migration records; a migrated schema writes its own,
    # after the warm-up tenant's.
    reference = "sample" if clone else "warmup"
    problems = []
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'")
        (schemas,) = cursor.fetchone()
        if schemas != count:
            problems.append(f"{schemas} tenant schemas, not {count}")
        cursor.execute(f"SELECT max(applied) FROM {quote_identifier(reference)}.django_migrations")
        (reference_applied,) = cursor.fetchone()
        for index in range(count):
            schema = f"tenant_{index}"
            name = quote_identifier(schema)
            cursor.execute(
                "SELECT count(*) FROM pg_tables WHERE schemaname = %s AND tablename = ANY(%s)",
                [schema, list(NOTES_TABLES)],
            )
            (tables,) = cursor.fetchone()
            if tables != len(NOTES_TABLES):
                problems.append(f"{schema}: {tables} of the {len(NOTES_TABLES)} notes tables")
                continue
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {name}.django_migrations WHERE app = 'notes'), "
                f"(SELECT count(*) FROM {name}.notes_tag WHERE name = 'welcome'), "
                f"(SELECT max(applied) FROM {name}.django_migrations)"
            )
            migrations, welcome, applied = cursor.fetchone()
            if (migrations, welcome) != (NOTES_MIGRATIONS, 1):
                problems.append(
                    f"{schema}: {migrations} notes migrations recorded, {welcome} welcome tag(s)"
                )
            if clone and applied != reference_applied:
                problems.append(f"{schema}: not a clone of {reference!r} (applied {applied})")
            if not clone and not applied > reference_applied:
                problems.append(f"{schema}: not migrated after {reference!r} (applied {applied})")
    return problems


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
    print(json.dumps({"timings_ms": timings, "problems": verify(count, clone)}))


if __name__ == "__main__":
    main()
