"""Django's own connection pool: connections move between threads and between tenants, and
every read runs in the schema of the tenant active when it is sent (``sandbox.faults``)."""

from __future__ import annotations

import itertools

from sandbox.faults import DJANGO_POOL, POOL, PUBLIC, SCHEMAS, Read, Run, wrapper_factory, wrong


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
