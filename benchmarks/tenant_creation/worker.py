"""One library, one process: migrate public, then time creating tenants one by one.

    python -m benchmarks.tenant_creation.worker LIBRARY COUNT   (prints JSON)

The database comes from TENANTRY_BENCH_DATABASE_URL, the tenant app from TENANTRY_BENCH_APP
(inventory or notes); TENANTRY_BENCH_CLONE=1 makes every library create tenants by cloning a
reference schema instead of migrating.

Each creation is measured three ways: the wall clock and this process's CPU time around the
library's call, and on the server, from pg_stat_statements (reset right before it, read right
after it on a connection of its own): the statements the creation ran and their total
execution time, what the database itself needed to build the schema.

After timing, the tenants are checked in SQL (untimed): each has every table of the app, its
migrations recorded and the rows of its data migration; and each was made the way the run
claims: a clone carries the reference schema's migration records (the same ``applied``
times), a migrated schema records its own, later ones.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from benchmarks.driver import Connection, connect, quote_identifier

SETTINGS = {
    "plain Django": "benchmarks.tenant_creation.settings_plain",
    "tenantry": "benchmarks.tenant_creation.settings_tenantry",
    "django-tenants": "benchmarks.tenant_creation.settings_django_tenants",
    "django-pgschemas": "benchmarks.tenant_creation.settings_pgschemas",
}

#: Per app: its migrations, and a query counting its data migration's rows with the count
#: expected (``{schema}`` is the quoted schema).
APPS: dict[str, tuple[int, str, int]] = {
    "notes": (2, "SELECT count(*) FROM {schema}.notes_tag WHERE name = 'welcome'", 1),
    "inventory": (20, "SELECT count(*) FROM {schema}.inventory_tag", 3),
}
VIEWS = {"notes": (), "inventory": ("inventory_stock_totals",)}  # made by a RunSQL


def _plain_django() -> Callable[[str], None]:
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrate
    from django.db import connection

    def create(name: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote_identifier(name)}")
            cursor.execute(f"SET search_path TO {quote_identifier(name)}")
        call_command(DjangoMigrate(), interactive=False, verbosity=0)

    return create


def prepare(library: str, clone: bool) -> Callable[[str], None]:
    """Migrate public (and build the clone reference); return a tenant-creating function."""
    from django.core.management import call_command

    if library == "plain Django":
        return _plain_django()

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


def app_tables(app: str) -> set[str]:
    from django.apps import apps

    models = apps.get_app_config(app).get_models(include_auto_created=True)
    return {model._meta.db_table for model in models}  # with the M2M tables


class ServerStatements:
    """The top-level statements run in this database since the last reset, from
    pg_stat_statements (on a connection of its own, its own queries left out)."""

    def __init__(self, monitor: Connection) -> None:
        self._monitor = monitor
        monitor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")

    def reset(self) -> None:
        self._monitor.execute("SELECT pg_stat_statements_reset()")

    def read(self) -> tuple[int, float]:
        """(statements, their total execution time in ms)."""
        row = self._monitor.execute(
            "SELECT coalesce(sum(calls), 0)::int, coalesce(sum(total_exec_time), 0)::float8 "
            "FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
            "WHERE d.datname = current_database() AND s.toplevel "
            "AND s.query NOT ILIKE '%pg_stat_statements%'"
        ).fetchone()
        return int(row[0]), float(row[1])


def verify(app: str, count: int, clone: bool) -> list[str]:
    """Problems with the N timed tenants (none: each is complete and made as claimed)."""
    from django.db import connection

    migrations, rows_query, rows_expected = APPS[app]
    expected = app_tables(app) | set(VIEWS[app])
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
                "SELECT tablename FROM pg_tables WHERE schemaname = %s "
                "UNION ALL SELECT viewname FROM pg_views WHERE schemaname = %s",
                [schema, schema],
            )
            missing = expected - {table for (table,) in cursor.fetchall()}
            if missing:
                problems.append(f"{schema}: missing {sorted(missing)[:5]} ({len(missing)})")
                continue
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {name}.django_migrations WHERE app = %s), "
                f"({rows_query.format(schema=name)}), "
                f"(SELECT max(applied) FROM {name}.django_migrations)",
                [app],
            )
            recorded, rows, applied = cursor.fetchone()
            if (recorded, rows) != (migrations, rows_expected):
                problems.append(
                    f"{schema}: {recorded} {app} migrations recorded, {rows} data rows; "
                    f"expected {migrations} and {rows_expected}"
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
    from django.conf import settings

    django.setup()
    app = settings.APP
    create = prepare(library, clone)
    create("warmup")  # imports, migration graph and caches: every library gets one
    creations: list[dict[str, Any]] = []
    with connect(os.environ["TENANTRY_BENCH_DATABASE_URL"]) as monitor:
        server = ServerStatements(monitor)
        for index in range(count):
            server.reset()
            started, cpu_started = time.perf_counter(), time.process_time()
            create(f"tenant_{index}")
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
            statements, server_ms = server.read()
            creations.append(
                {
                    "wall_ms": wall * 1000,
                    "cpu_ms": cpu * 1000,
                    "statements": statements,
                    "server_ms": server_ms,
                }
            )
    print(json.dumps({"creations": creations, "problems": verify(app, count, clone)}))


if __name__ == "__main__":
    main()
