"""Running an action over tenants: outcomes in order, failures contained, a summary."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.core.management.base import CommandError

from tenantry import SchemaDescriptor, Tenant
from tenantry_cli import Outcome
from tenantry_cli._runner import fail_if_any_failed, print_summary, run_for_tenants
from tenantry_django.migration import Place

# Actions here touch no database: plain descriptors are enough.
TENANTS = [SchemaDescriptor("a"), SchemaDescriptor("b"), SchemaDescriptor("c", "other")]


def fail_in_b(calls: list[str]) -> Callable[[Tenant], str]:
    def action(tenant: Tenant) -> str:
        calls.append(tenant.schema_name)
        if tenant.schema_name == "b":
            raise ValueError("b is broken")
        return f"did {tenant.schema_name}"

    return action


def test_labels_name_the_database_when_it_is_not_the_default() -> None:
    assert [Place.of(t).label for t in TENANTS] == ["a", "b", "other:c"]


def test_sequential_stops_after_the_first_failure() -> None:
    calls: list[str] = []

    outcomes = run_for_tenants(TENANTS, fail_in_b(calls))

    assert calls == ["a", "b"]
    assert [(o.schema, o.status) for o in outcomes] == [
        ("a", "ok"),
        ("b", "failed"),
        ("other:c", "skipped"),
    ]
    assert outcomes[0].detail == "did a"
    assert re.fullmatch(r"ValueError: b is broken \(at .*test_runner\.py:\d+\)", outcomes[1].error)
    assert outcomes[2].detail == "not run: an earlier schema failed"


def test_parallel_runs_every_tenant_despite_a_failure() -> None:
    calls: list[str] = []

    outcomes = run_for_tenants(TENANTS, fail_in_b(calls), executor="parallel")

    assert sorted(calls) == ["a", "b", "c"]
    assert [o.status for o in outcomes] == ["ok", "failed", "ok"]


def test_outcomes_follow_the_tenants_order_whatever_the_executor() -> None:
    calls: list[str] = []

    outcomes = run_for_tenants(TENANTS[::2], fail_in_b(calls), executor="reverse")

    assert calls == ["c", "a"]
    assert [o.schema for o in outcomes] == ["a", "other:c"]


def test_plain_summary_has_a_headline_and_a_line_per_schema() -> None:
    stream = io.StringIO()
    outcomes = [
        Outcome("a", "ok", "schema created", seconds=0.5),
        Outcome("b", "failed", error="ValueError: b is broken", seconds=1.25),
        Outcome("other:c", "skipped", "not run: an earlier schema failed"),
    ]

    print_summary(outcomes, stream)

    assert stream.getvalue() == (
        "Summary: 3 schema(s): 1 ok, 1 failed, 1 skipped\n"
        "  a: ok (0.50s) schema created\n"
        "  b: failed (1.25s) ValueError: b is broken\n"
        "  other:c: skipped (0.00s) not run: an earlier schema failed\n"
    )


def test_any_failure_fails_the_command_naming_the_schemas() -> None:
    outcomes = [Outcome("a", "failed"), Outcome("b", "skipped"), Outcome("c", "failed")]

    with pytest.raises(CommandError, match=r"^Failed in 2 schema\(s\): a, c\.$"):
        fail_if_any_failed(outcomes)

    fail_if_any_failed([Outcome("a", "ok"), Outcome("b", "skipped")])  # skipped alone is no failure
