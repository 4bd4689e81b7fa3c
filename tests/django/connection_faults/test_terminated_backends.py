"""Backends terminated under the workers (``pg_terminate_backend``): between two requests
of one connection, under persistent connections, under Django's pool and behind pgbouncer in
transaction mode. Errors only at the fault; never a read from another schema; the workers
get through units of work again on their own (``sandbox.faults``)."""

from __future__ import annotations

from contextlib import nullcontext

import pytest
from django.db import OperationalError, connections
from django.test import override_settings
from sandbox.faults import (
    DJANGO_POOL,
    POOL,
    PUBLIC,
    read,
    report,
    run_with_faults,
    wrapper_factory,
    wrong,
)

from tenantry import SchemaDescriptor, tenant_context


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
