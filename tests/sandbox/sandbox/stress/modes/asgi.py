"""ASGI: asyncio tasks, each operation one of four ways in turn: a request through Django's
ASGI handler to a sync view, or to an async view, or ``async with tenant_context(t)`` around
``sync_to_async`` (thread-sensitive: one shared thread and connection for every task), or
around ``sync_to_async(thread_sensitive=False)`` (a pool of threads)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connections

from sandbox.stress.engine import Budget, Context, Tally, operation
from sandbox.stress.modes.executors import ClosingExecutor
from sandbox.stress.modes.handlers import asgi_get, query
from sandbox.stress.probe import answer_leak, probe, report
from sandbox.stress.tenants import Site
from tenantry import tenant_context

WAYS = ("handler, sync view", "handler, async view", "sync_to_async", "sync_to_async, pooled")
POOLED_THREADS = 4


async def _through_handler(
    application: Any, site: Site, path: str, atomic: bool, sabotage: str | None
) -> tuple[int, Any]:
    status, body = await asgi_get(application, site.host, site.path(path), query(atomic, sabotage))
    return status, (json.loads(body) if status == 200 else body[:200])


async def _in_context(
    site: Site, atomic: bool, sabotage: str | None, executor: ClosingExecutor | None
) -> tuple[int, Any]:
    def read() -> dict[str, Any]:
        return report(site.tenant, probe(sabotage, atomic))

    async with tenant_context(site.tenant):
        if executor is None:
            return 200, await sync_to_async(read)()
        return 200, await sync_to_async(read, thread_sensitive=False, executor=executor)()


def run(context: Context, budget: Budget, tally: Tally) -> str:
    application = get_asgi_application()
    tasks = context.options.tasks
    executor = ClosingExecutor(POOLED_THREADS)

    async def task(index: int) -> None:
        rng = context.rng(index)
        operations = 0
        while budget.take():
            site = rng.choice(context.sites)
            sabotage, atomic = context.sabotage(rng, site), rng.random() < 0.5
            way = WAYS[(index + operations) % len(WAYS)]
            operations += 1
            what = f"{way} in {site.schema}"
            with operation(tally, what):
                if way == WAYS[0]:
                    status, answer = await _through_handler(
                        application, site, "stress/probe/", atomic, sabotage
                    )
                elif way == WAYS[1]:
                    status, answer = await _through_handler(
                        application, site, "stress/async-probe/", atomic, sabotage
                    )
                else:
                    pool = executor if way == WAYS[3] else None
                    status, answer = await _in_context(site, atomic, sabotage, pool)
                if status != 200:
                    tally.error(what, f"status {status}: {answer!r}")
                else:
                    tally.record(what, answer_leak(site.schema, answer))

    async def main() -> None:
        try:
            await asyncio.gather(*(task(index) for index in range(tasks)))
        finally:
            await sync_to_async(connections.close_all)()

    try:
        asyncio.run(main())
    finally:
        executor.close()
    return f"{tasks} tasks, {POOLED_THREADS}+1 sync threads"
