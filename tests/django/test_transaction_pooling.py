"""Behind a real pgbouncer, every statement runs in its own tenant's schema.

32 threads, each with a Django connection of its own through pgbouncer, share 3 server
connections. In ``pool_mode = transaction`` consecutive transactions (and autocommit
statements) of one client may be served by different server connections, so a path left on
a server connection by one client would be used by another: with
``TENANTRY_TRANSACTION_POOLING`` each transaction carries its own path and nothing
session-level stays behind. In ``pool_mode = session`` the default mode is right.

Each unit of work activates a tenant, reads its notes (one per tenant, titled with its
schema name) and ``current_schema()`` (also through SHOW, COPY and executemany), in
autocommit, in a transaction, across a tenant switch or a rolled-back savepoint, after a
failed statement or a reconnect; a result from any other schema is a wrong-tenant result, and
there must be none.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

import pytest
from django.db import DataError, connection, connections, transaction
from django.test import Client, override_settings
from postgres_harness import PgBouncer, connect, copy_rows
from sandbox.customers.models import Domain, Tenant
from sandbox.notes.models import Note

from tenantry import tenant_context
from tenantry_django.postgresql.base import DatabaseWrapper

THREADS = 32
UNITS = 384  # twelve per thread
Observation = tuple[str, Any, Any]  # expected schema, what was seen, what should have been


class DeliberateRollbackError(Exception):
    pass


def pooled_wrapper(settings: dict[str, Any], bouncer: PgBouncer) -> DatabaseWrapper:
    """A Django connection to the test database through ``bouncer``."""
    pooled = bouncer.database_settings(settings)
    if bouncer.pool_mode == "transaction":
        pooled["DISABLE_SERVER_SIDE_CURSORS"] = True  # Django's rule for transaction pooling
    return DatabaseWrapper(pooled, "default")


def run_threads(
    bouncer: PgBouncer, work: Callable[[int], list[Observation]], threads: int = THREADS
) -> list[Observation]:
    """``work(thread_index)`` in ``threads`` threads at once, each thread's ``default``
    connection going through ``bouncer``; every observation, or the first error."""
    settings = connections["default"].settings_dict
    start = threading.Barrier(threads)
    results: list[list[Observation]] = [[] for _ in range(threads)]
    errors: list[BaseException] = []

    def thread(index: int) -> None:
        wrapper = pooled_wrapper(settings, bouncer)
        connections["default"] = wrapper  # this thread's only
        try:
            start.wait()
            results[index] = work(index)
        except BaseException as error:
            errors.append(error)
        finally:
            wrapper.close()

    workers = [threading.Thread(target=thread, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not any(worker.is_alive() for worker in workers), "threads still running after 120 s"
    if errors:
        raise errors[0]
    assert bouncer.server_pids(settings["NAME"]), "nothing went through pgbouncer"
    return [observation for rows in results for observation in rows]


def wrong(observations: list[Observation]) -> list[Observation]:
    return [o for o in observations if o[1] != o[2]]


# -- the ORM and the driver, from many threads ----------------------------------------------

WRITTEN = "written by a unit"  # notes units add (and remove again): not a tenant's own note


def current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def own_notes() -> list[str]:
    return list(Note.objects.exclude(title__startswith=WRITTEN).values_list("title", flat=True))


def observe(tenant: Tenant, order: int) -> list[Observation]:
    """Read the active tenant's notes and schema, in either order."""
    name = tenant.schema_name
    reads = [lambda: (name, own_notes(), [name]), lambda: (name, current_schema(), name)]
    return [read() for read in (reads if order else reversed(reads))]


def observe_unbatched(tenant: Tenant) -> list[Observation]:
    """Statements that cannot carry the path in front of them: SHOW, COPY, executemany."""
    name, marker = tenant.schema_name, f"{WRITTEN} {uuid.uuid4().hex}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW search_path")
        shown = cursor.fetchone()[0].split(",")[0].strip().strip('"')
        copied = [row[0] for row in copy_rows(cursor, "COPY (SELECT current_schema()) TO STDOUT")]
        cursor.executemany(
            "INSERT INTO notes_note (title, body, created_at) VALUES (%s, '', now())",
            [(marker,)] * 3,
        )
    written = Note.objects.filter(title=marker)
    found = written.count()
    written.delete()
    return [(name, shown, name), (name, copied, [name]), (name, found, 3)]


def divide_by_zero() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1/0")


def unit_of_work(rng: random.Random, tenants: list[Tenant]) -> list[Observation]:
    first, second = rng.sample(tenants, 2)
    kind = rng.choice(
        ["autocommit", "atomic", "switch", "savepoint", "reconnect", "unbatched", "error"]
    )
    order = rng.randrange(2)
    seen: list[Observation] = []
    if kind == "reconnect":  # a new client connection: pgbouncer hands it some server
        connection.close()
    if kind in ("autocommit", "reconnect"):  # each statement is a transaction of its own
        with tenant_context(first):
            seen += observe(first, order)
    elif kind == "atomic":
        with tenant_context(first), transaction.atomic():
            seen += observe(first, order)
    elif kind == "switch":  # two tenants in one transaction
        with transaction.atomic():
            with tenant_context(first):
                seen += observe(first, order)
            with tenant_context(second):
                seen += observe(second, order)
            with tenant_context(first):
                seen += observe(first, 1 - order)
    elif kind == "savepoint":  # a savepoint in another tenant, written to and rolled back
        with tenant_context(first), transaction.atomic():
            seen += observe(first, order)
            try:
                with transaction.atomic(), tenant_context(second):
                    seen += observe(second, order)
                    Note.objects.create(title=f"{WRITTEN}, rolled back")
                    raise DeliberateRollbackError
            except DeliberateRollbackError:
                pass
            seen += observe(first, 1 - order)
    elif kind == "unbatched":  # in autocommit or in a transaction
        with tenant_context(first), transaction.atomic() if order else nullcontext():
            seen += observe_unbatched(first)
    else:  # a failing statement, in autocommit and in a savepoint
        with tenant_context(first):
            with pytest.raises(DataError):
                divide_by_zero()
            seen += observe(first, order)
            with transaction.atomic():
                seen += observe(first, order)
                with pytest.raises(DataError), transaction.atomic():
                    divide_by_zero()
                seen += observe(first, 1 - order)
    seen.append(("public", current_schema(), "public"))  # no tenant: never a tenant's schema
    return seen


def hammer(bouncer: PgBouncer, tenants: list[Tenant], units: int = UNITS) -> list[Observation]:
    def work(index: int) -> list[Observation]:
        rng = random.Random(index)
        seen: list[Observation] = []
        for _ in range(units // THREADS):
            seen += unit_of_work(rng, tenants)
        return seen

    observations = run_threads(bouncer, work)
    assert len(observations) >= 3 * units
    assert {o[0] for o in observations} >= {t.schema_name for t in tenants}
    return observations


@pytest.mark.parametrize("pooling", [True, ["default"]], ids=["true", "alias-list"])
def test_transaction_pooling_keeps_every_unit_in_its_tenant(
    many_committed_tenants, pgbouncer_transaction, pooling
):
    with override_settings(TENANTRY_TRANSACTION_POOLING=pooling):
        observations = hammer(pgbouncer_transaction, many_committed_tenants)
    assert wrong(observations) == []


def test_session_pooling_needs_no_setting(many_committed_tenants, pgbouncer_session):
    observations = hammer(pgbouncer_session, many_committed_tenants)
    assert wrong(observations) == []


# -- requests, from many threads -------------------------------------------------------------


def test_requests_through_transaction_pooling_see_their_own_tenant(
    many_committed_tenants, pgbouncer_transaction
):
    domains = Domain.objects.filter(tenant__in=many_committed_tenants).select_related("tenant")
    hosts = {domain.tenant.schema_name: domain.domain for domain in domains}
    names = sorted(hosts)
    assert len(names) == len(many_committed_tenants)

    def work(index: int) -> list[Observation]:
        rng, client = random.Random(index), Client()
        seen: list[Observation] = []
        for _ in range(UNITS // THREADS):
            name = rng.choice(names)
            whoami = client.get("/", headers={"host": hosts[name]})
            notes = client.get("/notes/", headers={"host": hosts[name]})
            seen.append((name, whoami.status_code, 200))
            seen.append((name, notes.status_code, 200))
            if whoami.status_code == 200:
                body = json.loads(whoami.content)
                seen.append((name, (body["tenant"], body["schema"]), (name, name)))
            if notes.status_code == 200:
                seen.append((name, json.loads(notes.content)["notes"], [name]))
        return seen

    with override_settings(TENANTRY_TRANSACTION_POOLING=True):
        observations = run_threads(pgbouncer_transaction, work)
    assert len(observations) == 4 * (UNITS // THREADS) * THREADS
    assert wrong(observations) == []


# -- what stays on the server connections ---------------------------------------------------


def server_search_paths(bouncer: PgBouncer, database: str) -> dict[int, tuple[str, str]]:
    """``{backend pid: (search_path, its source)}`` of every server connection ``bouncer``
    has to ``database``, each read in a transaction of its own: with as many clients in a
    transaction at once as the pool has server connections, each client holds another one."""
    clients = [connect(bouncer.url(database), autocommit=False) for _ in range(bouncer.pool_size)]
    try:
        rows = [
            client.execute(
                "SELECT pg_backend_pid(), setting, source FROM pg_settings "
                "WHERE name = 'search_path'"
            ).fetchone()
            for client in clients
        ]
    finally:
        for client in clients:
            client.rollback()  # a client leaving mid-transaction would cost its server
            client.close()
    return {row[0]: (row[1], row[2]) for row in rows if row}


def test_no_session_search_path_is_left_on_server_connections(
    many_committed_tenants, pgbouncer_transaction
):
    database = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:  # a direct connection: the server's own default
        cursor.execute("SELECT reset_val FROM pg_settings WHERE name = 'search_path'")
        default = cursor.fetchone()[0]
    with override_settings(TENANTRY_TRANSACTION_POOLING=True):
        assert wrong(hammer(pgbouncer_transaction, many_committed_tenants, units=128)) == []
    used = pgbouncer_transaction.server_pids(database)
    assert used, "the hammer went through no server connection"
    paths = server_search_paths(pgbouncer_transaction, database)
    assert used <= set(paths), "some server connection was not inspected"
    assert paths == dict.fromkeys(paths, (default, "default"))
