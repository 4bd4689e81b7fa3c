"""Connections that break under the tenants never answer from another schema.

Worker threads, each with a tenantry ``DatabaseWrapper`` of its own, loop over units of work
on tenant schemas (in autocommit, in a transaction, across a tenant switch in one
transaction, then with no tenant) while the connections under them fail: the server restarts,
or every backend of the database is terminated, directly, under Django's own psycopg pool or
behind pgbouncer in transaction mode. Between requests a worker does what Django does
(``close_if_unusable_or_obsolete``), and a unit that failed is retried. Errors are allowed
at the fault; a result from any schema but the active tenant's (public included; with no
tenant, public's) is not, and after every fault each worker must get through units of work
again on its own.

Each schema (``fault_00`` ... and public) has a ``marker`` table holding its own name, and
every read returns both ``current_schema()`` and the markers: a path left on another tenant
or on public shows up in both (``test_a_wrong_schema_is_seen`` checks that it would). New
sessions start in a ``decoy`` schema (the database's own ``search_path``), so a replaced
connection used without tenantry's path is seen too, even where public was wanted.
"""

from __future__ import annotations

import itertools
import random
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import pytest
from django.db import InterfaceError, InternalError, OperationalError, connections, transaction
from django.test import override_settings
from postgres_harness import (
    PgBouncer,
    PostgresServer,
    django_database_settings,
    psycopg3_only,
    quote_identifier,
    start_embedded_server,
)

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.postgresql.base import DatabaseWrapper

SCHEMAS = [f"fault_{index:02}" for index in range(24)]
PUBLIC = "public"
DECOY = "decoy"  # where a new session starts: no tenant, and not public
READ = "SELECT current_schema(), array(SELECT name FROM marker ORDER BY name), pg_backend_pid()"
# What a broken connection raises. psycopg (3.3) also raises InternalError "received 2 results
# from command 'COMMIT'" when a pooler relays the server's FATAL error and then hangs up.
ALLOWED_ERRORS = (OperationalError, InterfaceError, InternalError)
_LOST_IN_COMMAND = re.compile(r"received \d+ results from command ")
DJANGO_POOL = psycopg3_only("Django's connection pool (OPTIONS['pool']) needs psycopg_pool")
WAIT = 30.0  # seconds a run may take to reach a milestone before the test fails
_sequence = itertools.count()  # orders reads across threads (next() is atomic)


class Read(NamedTuple):
    thread: int
    expected: str  # the schema the read had to run in
    seen: tuple[str, list[str]]  # current_schema() and the markers it found
    pid: int
    order: int

    @property
    def wrong(self) -> bool:
        return self.seen != (self.expected, [self.expected])


# -- databases whose every schema names itself --------------------------------------------


def create_marked_database(server: PostgresServer) -> str:
    """A database with a marked public, tenant schemas and a decoy: a new session starts in
    the decoy, so a connection used without tenantry's path (even for public) is seen."""
    name = f"tenantry_faults_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    with server.connect(name) as admin:
        for schema in [PUBLIC, DECOY, *SCHEMAS]:
            if schema != PUBLIC:
                admin.execute(f"CREATE SCHEMA {quote_identifier(schema)}")
            table = f"{quote_identifier(schema)}.marker"
            admin.execute(f"CREATE TABLE {table} (name text NOT NULL)")
            admin.execute(f"INSERT INTO {table} VALUES (%s)", [schema])
        admin.execute(
            f"ALTER DATABASE {quote_identifier(name)} SET search_path = {quote_identifier(DECOY)}"
        )
    with server.connect(name) as fresh:
        assert fresh.execute("SELECT current_schema()").fetchone() == (DECOY,)
    return name


@dataclass
class Place:
    """A database the workers reach: the server it lives on and where clients connect."""

    server: PostgresServer
    database: str
    host: str
    port: int

    def through(self, bouncer: PgBouncer) -> Place:
        return Place(self.server, self.database, bouncer.host, bouncer.port)

    def terminate_backends(self) -> int:
        """End every client backend of the database (waiting until each has gone), from a
        monitor connection to another database; how many there were."""
        with self.server.connect() as monitor:
            row = monitor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                "FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                [self.database],
            ).fetchone()
        return int(row[0]) if row else 0

    def started_at(self) -> Any:
        with self.server.connect() as monitor:
            row = monitor.execute("SELECT pg_postmaster_start_time()").fetchone()
        return row[0] if row else None


def _place(server: PostgresServer) -> Iterator[Place]:
    name = create_marked_database(server)
    try:
        yield Place(server, name, server.host, server.port)
    finally:
        server.drop_database(name)


@pytest.fixture(scope="module")
def session_place(postgres_server: PostgresServer) -> Iterator[Place]:
    """A marked database on the session's server."""
    yield from _place(postgres_server)


@pytest.fixture(scope="module")
def private_place() -> Iterator[Place]:
    """A marked database on a server of this module's own, which the tests may restart."""
    server = start_embedded_server()
    try:
        yield from _place(server)
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _database_access(django_db_blocker: Any) -> Iterator[None]:
    # The wrappers here reach databases of their own, never pytest-django's test database.
    with django_db_blocker.unblock():
        yield


# -- Django connections -------------------------------------------------------------------


def wrapper_factory(
    place: Place,
    alias: str,
    *,
    pool: dict[str, Any] | None = None,
    health_checks: bool = False,
    transaction_pooler: bool = False,
) -> Callable[[], DatabaseWrapper]:
    """Django connections to ``place`` under ``alias``: persistent (``CONN_MAX_AGE = None``),
    or taken from and given back to Django's psycopg pool for ``alias``."""
    base = connections["default"].settings_dict  # a complete entry (TEST, TIME_ZONE, ...)
    settings = {
        **base,
        **django_database_settings(place.server.url(place.database)),
        "HOST": place.host,
        "PORT": str(place.port),
        "CONN_MAX_AGE": 0 if pool else None,
        "CONN_HEALTH_CHECKS": health_checks,
        "OPTIONS": {"pool": pool} if pool else {},
    }
    if transaction_pooler:
        settings["DISABLE_SERVER_SIDE_CURSORS"] = True  # Django's rule for transaction pooling
    return lambda: DatabaseWrapper(dict(settings), alias)


def read(thread: int, alias: str, expected: str) -> Read:
    with connections[alias].cursor() as cursor:
        cursor.execute(READ)
        schema, markers, pid = cursor.fetchone()
    return Read(thread, expected, (schema, markers), pid, next(_sequence))


class Plan(NamedTuple):
    first: SchemaDescriptor
    second: SchemaDescriptor
    kind: str
    public_first: bool


def plan_unit(rng: random.Random, alias: str) -> Plan:
    first, second = (SchemaDescriptor(name, database=alias) for name in rng.sample(SCHEMAS, 2))
    kind = rng.choice(["autocommit", "atomic", "switch"])
    return Plan(first, second, kind, rng.random() < 0.5)


def unit_of_work(thread: int, alias: str, plan: Plan, seen: list[Read]) -> None:
    """Reads in one or two tenants; across request boundaries, the first tenant again, then
    twice with no tenant (and, for some units, once with no tenant before all that).

    At a boundary a pooled connection goes back to the pool (another thread may take it
    under another tenant), so the next read may get one that another tenant used; a
    persistent one is checked (with ``CONN_HEALTH_CHECKS``) and may be replaced. The same
    path is read on both sides of a boundary, and a unit that failed is retried from its
    start: a path remembered from a connection that was replaced would be trusted, and seen.
    """
    first, second, kind, public_first = plan
    boundary = connections[alias].close_if_unusable_or_obsolete  # what Django does
    if public_first:
        seen.append(read(thread, alias, PUBLIC))
        boundary()
    if kind == "autocommit":
        with tenant_context(first):
            seen += [read(thread, alias, first.schema_name) for _ in range(2)]
    elif kind == "atomic":
        with tenant_context(first), transaction.atomic(using=alias):
            seen += [read(thread, alias, first.schema_name) for _ in range(2)]
    else:
        with transaction.atomic(using=alias):
            for tenant in (first, second, first):
                with tenant_context(tenant):
                    seen.append(read(thread, alias, tenant.schema_name))
    boundary()
    with tenant_context(first):
        seen.append(read(thread, alias, first.schema_name))
    for _ in range(2):
        boundary()
        seen.append(read(thread, alias, PUBLIC))


# -- worker threads and faults --------------------------------------------------------------


@dataclass
class Run:
    """``threads`` workers looping over units of work until stopped. Faults split the run
    into phases; a unit counts in the phase it started in."""

    make_wrapper: Callable[[], DatabaseWrapper]
    alias: str
    threads: int
    reads: list[Read] = field(default_factory=list)
    errors: list[tuple[int, BaseException]] = field(default_factory=list)  # (phase, error)
    unexpected: list[BaseException] = field(default_factory=list)
    units: list[list[int]] = field(default_factory=list)  # [phase][thread] successful units
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    @property
    def phase(self) -> int:
        return len(self.units) - 1

    def next_phase(self) -> None:
        with self._condition:
            self.units.append([0] * self.threads)

    def errors_in(self, phase: int) -> int:
        return sum(1 for p, _ in self.errors if p == phase)

    def _work(self, index: int) -> None:
        wrapper = self.make_wrapper()
        connections[self.alias] = wrapper  # this thread's only
        rng = random.Random(index)
        plan = plan_unit(rng, self.alias)
        try:
            while not self._stop.is_set():
                phase, seen = self.phase, list[Read]()
                try:
                    try:
                        unit_of_work(index, self.alias, plan, seen)
                    finally:
                        wrapper.close_if_unusable_or_obsolete()  # Django's request boundary
                except ALLOWED_ERRORS as error:
                    if isinstance(error, InternalError) and not _LOST_IN_COMMAND.match(str(error)):
                        raise
                    with self._condition:
                        self.reads += seen  # what was read before the error counts too
                        self.errors.append((phase, error))
                    self._stop.wait(0.02)  # a restarting server refuses at once: do not spin
                    continue  # the client retries the same unit
                with self._condition:
                    self.reads += seen
                    self.units[phase][index] += 1
                    self._condition.notify_all()
                plan = plan_unit(rng, self.alias)
        except BaseException as error:
            with self._condition:
                self.unexpected.append(error)
                self._condition.notify_all()
        finally:
            wrapper.close()

    def wait_for_units(self, count: int) -> None:
        """Until every worker has got through ``count`` units of work in this phase."""
        phase = self.phase
        with self._condition:
            done = self._condition.wait_for(
                lambda: self.unexpected or min(self.units[phase]) >= count, timeout=WAIT
            )
        if self.unexpected:
            raise self.unexpected[0]
        assert done, (
            f"phase {phase}: units per worker {self.units[phase]} did not all reach {count} "
            f"within {WAIT} s; errors: {[repr(e) for p, e in self.errors if p == phase][-5:]}"
        )

    def __enter__(self) -> Run:
        self.next_phase()
        self._workers = [
            threading.Thread(target=self._work, args=(index,), daemon=True)
            for index in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=WAIT)
        assert not any(worker.is_alive() for worker in self._workers), "workers still running"
        if self.unexpected:
            raise self.unexpected[0]


def run_with_faults(
    make_wrapper: Callable[[], DatabaseWrapper],
    alias: str,
    fault: Callable[[], None],
    *,
    threads: int,
    faults: int,
    units: int = 5,
) -> Run:
    """Workers get going, then ``fault()`` runs ``faults`` times; after each, every worker
    must get through ``units`` units of work again."""
    with Run(make_wrapper, alias, threads) as run:
        run.wait_for_units(units)
        for _ in range(faults):
            fault()
            run.next_phase()
            run.wait_for_units(units)
    return run


def report(run: Run) -> str:
    errors = [run.errors_in(phase) for phase in range(run.phase + 1)]
    units = [sum(counts) for counts in run.units]
    kinds = Counter(type(error).__name__ for _, error in run.errors)
    return (
        f"reads={len(run.reads)} errors per phase={errors} units per phase={units} "
        f"error kinds={dict(kinds)}"
    )


def wrong(run: Run) -> list[Read]:
    assert run.reads, "nothing was read"
    assert {r.expected for r in run.reads} > {PUBLIC}, "no tenant was read"
    return [r for r in run.reads if r.wrong]


@pytest.fixture
def closing_pool() -> Iterator[Callable[[Callable[[], DatabaseWrapper]], None]]:
    """Registers a wrapper factory whose Django pool (one per alias) is closed afterwards."""
    factories: list[Callable[[], DatabaseWrapper]] = []
    yield factories.append
    for make_wrapper in factories:
        make_wrapper().close_pool()


POOL = {"min_size": 2, "max_size": 4}


# -- the checks can fail -----------------------------------------------------------------------


@pytest.mark.parametrize("other", ["fault_01", PUBLIC, DECOY])
def test_a_wrong_schema_is_seen(session_place, other):
    """A path changed behind tenantry's back (it trusts what it applied) gives a read from
    ``other``, in both what it reports and what it finds."""
    wrapper = wrapper_factory(session_place, "direct")()
    connections["direct"] = wrapper
    try:
        with tenant_context(SchemaDescriptor("fault_00", database="direct")):
            assert not read(0, "direct", "fault_00").wrong
            with wrapper.cursor() as cursor:
                cursor.execute(f"SET search_path = {other}")
            seen = read(0, "direct", "fault_00")
    finally:
        wrapper.close()
        del connections["direct"]
    assert seen.wrong
    assert seen.seen == (other, [other])


@pytest.mark.parametrize("health_checks", [False, True], ids=["no-checks", "health-checks"])
@pytest.mark.parametrize("schema", ["fault_05", PUBLIC])
def test_a_replaced_connection_is_pointed_again(session_place, schema, health_checks):
    """One persistent connection, its backend terminated between two requests: the next
    request fails (and is retried) or, with health checks, gets a new connection at once;
    either way the new session (which starts in the decoy) is pointed at ``schema``."""
    wrapper = wrapper_factory(session_place, "direct", health_checks=health_checks)()
    connections["direct"] = wrapper
    tenant = SchemaDescriptor(schema, database="direct") if schema != PUBLIC else None
    errors = []
    try:
        with tenant_context(tenant) if tenant else nullcontext():
            before = read(0, "direct", schema)
            assert session_place.terminate_backends() == 1
            wrapper.close_if_unusable_or_obsolete()  # the next request starts
            try:
                after = read(0, "direct", schema)
            except OperationalError as error:
                errors.append(error)
                wrapper.close_if_unusable_or_obsolete()  # the retry starts
                after = read(0, "direct", schema)
    finally:
        wrapper.close()
        del connections["direct"]
    assert (before.wrong, after.wrong) == (False, False), (before, after)
    assert after.pid != before.pid
    assert len(errors) == (0 if health_checks else 1)


# -- Django's own pool ---------------------------------------------------------------------


@DJANGO_POOL
def test_pooled_connections_move_between_threads_and_tenants(session_place, closing_pool):
    make_wrapper = wrapper_factory(session_place, "pooled", pool=POOL)
    closing_pool(make_wrapper)
    with Run(make_wrapper, "pooled", threads=16) as run:
        run.wait_for_units(25)
    assert run.errors == []
    assert wrong(run) == []
    assert len({r.expected for r in run.reads}) == len(SCHEMAS) + 1
    served: dict[int, list[Read]] = {}
    for r in run.reads:
        served.setdefault(r.pid, []).append(r)
    assert len(served) <= POOL["max_size"]  # 16 threads on at most 4 server connections
    # Connections changed hands: the next read on one came from another thread, in another
    # schema than the last read before the handover.
    handovers = [
        (before, after)
        for rs in served.values()
        for before, after in itertools.pairwise(sorted(rs, key=lambda r: r.order))
        if before.thread != after.thread and before.expected != after.expected
    ]
    print(f"{len(run.reads)} reads on {len(served)} connections, {len(handovers)} handovers")
    assert len(handovers) > 100, len(handovers)
    # With no tenant, public: also on a connection that served a tenant before.
    assert any(
        r.expected == PUBLIC and any(t.expected != PUBLIC and t.order < r.order for t in rs)
        for rs in served.values()
        for r in rs
    )


# -- the server restarts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "health_checks"),
    [("fast", False), ("immediate", True)],
    ids=["fast", "immediate-health-checks"],
)
def test_persistent_connections_survive_a_restart(private_place, mode, health_checks):
    make_wrapper = wrapper_factory(private_place, "direct", health_checks=health_checks)
    before = private_place.started_at()

    def restart() -> None:
        private_place.server.restart(mode)

    run = run_with_faults(make_wrapper, "direct", restart, threads=8, faults=2)
    print(report(run))
    assert private_place.started_at() != before
    assert wrong(run) == []
    if not health_checks:  # each restart cut every worker's live connection under it
        assert len(run.errors) >= 8 * 2


@DJANGO_POOL
def test_pooled_connections_survive_a_restart(private_place, closing_pool):
    make_wrapper = wrapper_factory(private_place, "pooled", pool=POOL)
    closing_pool(make_wrapper)
    before = private_place.started_at()

    def restart() -> None:
        private_place.server.restart("fast")

    run = run_with_faults(make_wrapper, "pooled", restart, threads=16, faults=2)
    print(report(run))
    assert private_place.started_at() != before
    assert wrong(run) == []
    assert run.errors  # the pool hands out what it holds, unchecked


# -- every backend is terminated ------------------------------------------------------------


@pytest.mark.parametrize(
    "pooled",
    [False, pytest.param(True, marks=DJANGO_POOL)],
    ids=["persistent", "django-pool"],
)
def test_terminated_backends_never_answer_from_another_schema(session_place, closing_pool, pooled):
    alias = "pooled" if pooled else "direct"
    make_wrapper = wrapper_factory(session_place, alias, pool=POOL if pooled else None)
    if pooled:
        closing_pool(make_wrapper)
    terminated: list[int] = []

    def terminate() -> None:
        terminated.append(session_place.terminate_backends())

    run = run_with_faults(make_wrapper, alias, terminate, threads=16 if pooled else 8, faults=3)
    print(report(run), "terminated", terminated)
    assert all(terminated), terminated
    assert wrong(run) == []
    # Each fault cut every worker's live connection (persistent), or every pooled one.
    assert len(run.errors) >= (3 if pooled else 8 * 3)


def test_terminated_server_connections_behind_transaction_pooling(
    session_place, pgbouncer_transaction
):
    place = session_place.through(pgbouncer_transaction)
    make_wrapper = wrapper_factory(place, "bounced", transaction_pooler=True)
    terminated: list[int] = []

    def terminate() -> None:
        terminated.append(session_place.terminate_backends())

    with override_settings(TENANTRY_TRANSACTION_POOLING=True):
        run = run_with_faults(make_wrapper, "bounced", terminate, threads=16, faults=3)
    print(report(run), "terminated", terminated)
    assert all(terminated), terminated
    assert wrong(run) == []
    assert len({r.pid for r in run.reads}) > pgbouncer_transaction.pool_size
