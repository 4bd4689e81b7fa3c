"""Executors: sequential, parallel threads, forked processes, and one from another package."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connections
from django.test import override_settings

from tenantry import Tenant, tenant_context
from tenantry_cli import TenantCommand
from tenantry_cli._runner import run_for_tenants


def current_schema(tenant: Tenant) -> str:
    with connections[tenant.database].cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        row = cursor.fetchone()
    return str(row[0]) if row else ""


class MeetAndReport(TenantCommand):
    """Every tenant waits until all are in flight, then reports the schema it is in."""

    def __init__(self, tenants_at_once: int) -> None:
        super().__init__()
        self.barrier = threading.Barrier(tenants_at_once, timeout=20)
        self.threads: set[int] = set()

    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> str:
        current_schema(tenant)  # the search path is set before the others run too
        self.threads.add(threading.get_ident())
        self.barrier.wait()
        return f"in {current_schema(tenant)}"


class RecordOrder(TenantCommand):
    def __init__(self) -> None:
        super().__init__()
        self.order: list[str] = []

    def handle_tenant(self, tenant: Any, *args: Any, **options: Any) -> None:
        self.order.append(tenant.schema_name)


@override_settings(TENANTRY_PARALLEL_MAX_PROCESSES=3)
def test_parallel_runs_tenants_at_once_each_in_its_own_schema(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(3)
    command = MeetAndReport(tenants_at_once=3)
    stdout = io.StringIO()

    call_command(command, "-s", ":dynamic:", "--executor", "parallel", stdout=stdout)

    assert len(command.threads) == 3
    for schema in ("cli_0", "cli_1", "cli_2"):
        assert f"{schema}: ok" in stdout.getvalue()
        assert f"in {schema}\n" in stdout.getvalue()


def test_sequential_runs_in_the_callers_thread_in_catalog_order(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(3)
    command = RecordOrder()

    call_command(command, "-s", ":dynamic:", stdout=io.StringIO())

    assert command.order == ["cli_0", "cli_1", "cli_2"]


def report_worker(tenant: Tenant) -> str:
    with tenant_context(tenant):
        return f"{os.getpid()} {current_schema(tenant)}"


@override_settings(TENANTRY_PARALLEL_MAX_PROCESSES=2, TENANTRY_TASKS_PER_PROCESS=1)
def test_processes_bring_outcomes_back_and_replace_their_workers(
    make_fleet: Callable[..., list],
) -> None:
    tenants = make_fleet(4)

    outcomes = run_for_tenants(tenants, report_worker, executor="processes")

    assert [o.schema for o in outcomes] == ["cli_0", "cli_1", "cli_2", "cli_3"]
    assert [o.status for o in outcomes] == ["ok"] * 4
    pids = {int(o.detail.split()[0]) for o in outcomes}
    assert os.getpid() not in pids
    assert len(pids) > 2  # two workers at a time, each replaced after one tenant
    assert [o.detail.split()[1] for o in outcomes] == ["cli_0", "cli_1", "cli_2", "cli_3"]


def test_processes_report_a_failing_tenant(make_fleet: Callable[..., list]) -> None:
    tenants = make_fleet(2)

    def fail_in_cli_1(tenant: Tenant) -> str:
        if tenant.schema_name == "cli_1":
            raise RuntimeError("no luck in cli_1")
        return "fine"

    outcomes = run_for_tenants(tenants, fail_in_cli_1, executor="processes")

    assert [(o.status, o.detail) for o in outcomes] == [("ok", "fine"), ("failed", "")]
    assert outcomes[1].error.startswith("RuntimeError: no luck in cli_1 (at ")


def test_executor_from_another_package_is_used(
    make_fleet: Callable[..., list], summary: Callable[[str], dict[str, str]]
) -> None:
    make_fleet(3)
    command = RecordOrder()
    stdout = io.StringIO()

    call_command(command, "-s", ":dynamic:", "--executor", "reverse", stdout=stdout)

    assert command.order == ["cli_2", "cli_1", "cli_0"]  # tests/plugins/example_plugin
    assert list(summary(stdout.getvalue())) == ["cli_0", "cli_1", "cli_2"]  # catalog order


def test_help_lists_every_executor_found() -> None:
    parser = load_command_class("tenantry_cli", "runschema").create_parser("manage.py", "runschema")

    help_text = " ".join(parser.format_help().split())

    assert "Found: parallel, processes, reverse, sequential." in help_text


def test_unknown_executor_names_the_installed_ones_and_runs_nothing(
    make_fleet: Callable[..., list],
) -> None:
    make_fleet(1)
    command = RecordOrder()

    with pytest.raises(CommandError) as raised:
        call_command(command, "-s", "cli_0", "--executor", "warp", stdout=io.StringIO())

    assert "Unknown executor 'warp'" in str(raised.value)
    assert "sequential" in str(raised.value)
    assert "reverse" in str(raised.value)
    assert command.order == []
