"""The isolation stress suite at CI size (``hatch run stress`` runs it larger; see
``sandbox.stress``): over a hundred committed tenants, every mode a couple of seconds with its
workers at once, every operation checked against its own tenant's marker row and
``current_schema()``. No mode may leak, fail or refuse, and each must get real work done;
and with leaks injected behind tenantry's back, each mode must report them.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from postgres_harness import (
    PostgresServer,
    django_conninfo,
    psycopg3_only,
    terminate_other_sessions,
)
from postgres_harness.plugin import REQUIRE_PGBOUNCER_VARIABLE
from sandbox.stress import (
    MODES,
    Context,
    ModeResult,
    Options,
    create_sites,
    drop_sites,
    exit_status,
    format_report,
    run_mode,
)
from sandbox.stress.conf import stress_tenants
from sandbox.stress.modes.pooled import POOL_NEEDS_PSYCOPG3
from sandbox.stress.modes.sockets import launch

from tenantry_django.routing import clear_caches

TENANTS = 101
CI = Options(seconds=2.0, threads=8, tasks=32, sockets=16)
MINIMUM_OPERATIONS = 30  # per mode, at CI size (usually some hundreds; websockets fewer)
INJECTED = dataclasses.replace(CI, seconds=1.0, operations=60, sabotage=0.5)
# Every mode; Django's own pool only with psycopg 3 (the pgbouncer mode runs with either).
EVERY_MODE = [
    pytest.param(mode, marks=psycopg3_only(POOL_NEEDS_PSYCOPG3)) if mode == "pool" else mode
    for mode in MODES
]


@pytest.fixture(autouse=True)
def _database_access(django_db_blocker: Any) -> Iterator[None]:
    """The engine's threads, tasks and servers use the committed test database directly."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture(scope="module")
def stress(
    django_db_setup: None, django_db_blocker: Any, postgres_server: PostgresServer
) -> Iterator[Context]:
    with (
        django_db_blocker.unblock(),
        override_settings(TENANTS=stress_tenants(settings.TENANTS)),
    ):
        clear_caches()
        database_url = postgres_server.url(connection.settings_dict["NAME"])
        context = Context([], CI, postgres_server, database_url)
        try:
            launch(context)  # uvicorn sets Django up while the tenants are created
            context.sites = create_sites(TENANTS)
            yield context
        finally:
            context.close()
            terminate_other_sessions(django_conninfo(connection.settings_dict))
            connection.close()
            drop_sites(context.sites)
            clear_caches()


def run(context: Context, mode: str, options: Options) -> ModeResult:
    context.options = options
    result = run_mode(mode, MODES[mode], context)
    if result.skipped:
        if os.environ.get(REQUIRE_PGBOUNCER_VARIABLE):
            pytest.fail(result.skipped)
        pytest.skip(result.skipped)
    return result


# The marker makes pytest-django create the test database; the tenants are committed by the
# module's fixture, outside the tests' transactions, for the engine's threads and servers.
@pytest.mark.django_db
@pytest.mark.parametrize("mode", EVERY_MODE)
def test_every_operation_stays_in_its_own_tenant(stress, mode):
    result = run(stress, mode, CI)
    report = format_report([result])
    print(report)  # operations per second, with -s or -rP
    assert (result.leaks, result.errors, result.refused) == (0, 0, 0), report
    assert result.operations >= MINIMUM_OPERATIONS, report
    assert exit_status([result]) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("mode", EVERY_MODE)
def test_a_leak_injected_behind_tenantrys_back_is_reported(stress, mode):
    result = run(stress, mode, INJECTED)
    report = format_report([result])
    assert result.leaks > 0, report
    assert "LEAK" in report
    assert exit_status([result]) == 1


def test_the_report_totals_and_the_exit_status():
    results = [
        ModeResult("wsgi", "2 threads", 300, 1.5),
        ModeResult("moved", "2 threads", 200, 2.0, leaks=1, examples=["LEAK list(qs): rows []"]),
        ModeResult("pgbouncer", skipped="no pgbouncer"),
    ]
    report = format_report(results)
    assert "wsgi       2 threads" in report
    assert "pgbouncer  skipped: no pgbouncer" in report
    assert "total: operations 500, leaks 1, errors 0" in report
    assert "  moved: LEAK list(qs): rows []" in report
    assert exit_status(results) == 1
    assert exit_status(results[:1]) == 0
    assert exit_status([ModeResult("asgi", "1 task", 0, 0.0)]) == 1  # no work is no pass
