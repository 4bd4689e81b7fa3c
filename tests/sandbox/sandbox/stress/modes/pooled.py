"""Pooled connections: many threads switching tenants on few shared server connections.

Besides plain probes (half of them in a transaction), a share of operations probe after a
transaction that failed, or switch tenants inside one transaction around a savepoint that is
rolled back.

- ``pool``: Django's own psycopg pool (``OPTIONS["pool"]``, 4 connections for 16 threads);
  psycopg 3 only (Django refuses the option under psycopg2), so skipped under psycopg2.
  Each operation is a request's worth: take a connection from the pool, probe a random
  tenant, give it back (``close()``), so each connection serves thread after thread and
  tenant after tenant.
- ``pgbouncer``: a real pgbouncer in ``pool_mode = transaction`` (4 server connections) with
  ``TENANTRY_TRANSACTION_POOLING``; each thread keeps its client connection, and pgbouncer
  hands every transaction (each autocommit statement too) to whichever server connection is
  free.
"""

from __future__ import annotations

from typing import Any

from django.db import DataError, connection, connections, transaction
from django.test import override_settings
from postgres_harness import PSYCOPG2, PgBouncerNotFoundError, start_pgbouncer

from sandbox.stress.engine import Budget, Context, ModeSkipped, Tally, operation, run_threads
from sandbox.stress.probe import probe
from sandbox.stress.tenants import Site
from tenantry import tenant_context

POOL_SIZE = 4
FAILED_SHARE = 0.15  # of operations: a failed transaction first
SWITCHING_SHARE = 0.15  # of operations: tenant switches and a savepoint rollback in a transaction


class _RollbackError(Exception):
    """Raised to roll a savepoint back."""


def _after_a_failed_transaction(site: Site) -> str | None:
    """A transaction that fails (and rolls back), then the probe."""
    with tenant_context(site.tenant):
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        except DataError:
            pass
        return probe().leak(site.schema)


def _switching_in_a_transaction(site: Site, other: Site) -> str | None:
    """In one transaction: A, then B in a savepoint rolled back, then B and A again."""
    seen: list[str | None] = []
    with transaction.atomic():
        with tenant_context(site.tenant):
            seen.append(probe().leak(site.schema))
        try:
            with transaction.atomic(), tenant_context(other.tenant):
                seen.append(probe().leak(other.schema))
                raise _RollbackError
        except _RollbackError:
            pass
        with tenant_context(other.tenant):
            seen.append(probe().leak(other.schema))
        with tenant_context(site.tenant):
            seen.append(probe().leak(site.schema))
    return "; ".join(f"step {step}: {leak}" for step, leak in enumerate(seen) if leak) or None


def _hammer(
    context: Context,
    budget: Budget,
    tally: Tally,
    settings: dict[str, Any],
    *,
    give_back: bool,
    atomic_when_sabotaged: bool,
) -> None:
    def work(index: int) -> None:
        rng = context.rng(index)
        default = connections["default"]
        connections["default"] = type(default)(settings, "default")  # this thread's only
        try:
            while budget.take():
                site, kind = rng.choice(context.sites), rng.random()
                sabotage = context.sabotage(rng, site)
                if sabotage is None and kind < FAILED_SHARE:
                    what = f"probe of {site.schema} after a failed transaction"
                    with operation(tally, what):
                        tally.record(what, _after_a_failed_transaction(site))
                elif sabotage is None and kind < FAILED_SHARE + SWITCHING_SHARE:
                    other = context.other(rng, site)
                    what = f"{site.schema} and {other.schema} in one transaction"
                    with operation(tally, what):
                        tally.record(what, _switching_in_a_transaction(site, other))
                else:
                    atomic = rng.random() < 0.5 or (atomic_when_sabotaged and bool(sabotage))
                    what = f"probe of {site.schema}" + (" in a transaction" if atomic else "")
                    with operation(tally, what), tenant_context(site.tenant):
                        tally.record(what, probe(sabotage, atomic).leak(site.schema))
                if give_back:
                    connection.close()
        finally:
            connections.close_all()

    run_threads(context.options.threads, work)


POOL_NEEDS_PSYCOPG3 = "Django's connection pool (OPTIONS['pool']) needs psycopg 3"


def run_pool(context: Context, budget: Budget, tally: Tally) -> str:
    if PSYCOPG2:
        raise ModeSkipped(POOL_NEEDS_PSYCOPG3)
    base = connections["default"].settings_dict
    options = {**base.get("OPTIONS", {}), "pool": {"min_size": 2, "max_size": POOL_SIZE}}
    settings = {**base, "CONN_MAX_AGE": 0, "OPTIONS": options}
    try:
        _hammer(context, budget, tally, settings, give_back=True, atomic_when_sabotaged=False)
    finally:
        type(connections["default"])(settings, "default").close_pool()
    return f"{context.options.threads} threads, Django pool of {POOL_SIZE}"


def run_pgbouncer(context: Context, budget: Budget, tally: Tally) -> str:
    try:
        bouncer = start_pgbouncer(context.server, "transaction", pool_size=POOL_SIZE)
    except PgBouncerNotFoundError as missing:
        raise ModeSkipped(str(missing)) from missing
    try:
        base = connections["default"].settings_dict
        settings = {**bouncer.database_settings(base), "DISABLE_SERVER_SIDE_CURSORS": True}
        # Read when a connection opens; only this mode's connections open meanwhile.
        with override_settings(TENANTRY_TRANSACTION_POOLING=True):
            # A misdirection must share the probe's transaction to outlive it here.
            _hammer(context, budget, tally, settings, give_back=False, atomic_when_sabotaged=True)
    finally:
        bouncer.stop()
    return f"{context.options.threads} threads, pgbouncer of {POOL_SIZE}"
