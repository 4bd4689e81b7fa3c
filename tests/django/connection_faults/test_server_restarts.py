"""The server restarts under the workers (fast and immediate shutdowns), under persistent
connections and under Django's pool: errors only at the fault, never a read from another
schema, and service resumes (``sandbox.faults``)."""

from __future__ import annotations

import pytest
from sandbox.faults import DJANGO_POOL, POOL, report, run_with_faults, wrapper_factory, wrong


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
