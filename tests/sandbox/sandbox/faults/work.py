"""A worker's unit of work: reads in tenants and in public, across Django's request
boundaries, on a Django connection of its own."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable
from typing import Any, NamedTuple

from django.db import connections, transaction
from postgres_harness import django_database_settings

from sandbox.faults.places import PUBLIC, SCHEMAS, Place
from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.postgresql.base import DatabaseWrapper

READ = "SELECT current_schema(), array(SELECT name FROM marker ORDER BY name), pg_backend_pid()"
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
