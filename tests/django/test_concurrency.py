"""Threads and asyncio tasks, each with its own tenants: every query reports the schema the
database actually used, and every one matches the tenant its caller activated."""

from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.db import connection, connections
from sandbox.notes.models import Note

from tenantry import tenant_context


def observe(tenant) -> tuple[str, str, str]:
    """(expected, current_schema() on the server, the note's title) for one query."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    title = Note.objects.values_list("title", flat=True).get()
    return tenant.schema_name, schema, title


def test_sixteen_threads_each_see_only_their_tenants(committed_tenants):
    start = threading.Barrier(16)

    def worker(seed: int) -> list[tuple[str, str, str]]:
        rng = random.Random(seed)
        start.wait()
        try:
            seen = []
            for _ in range(40):
                tenant = rng.choice(committed_tenants)
                with tenant_context(tenant):
                    seen.append(observe(tenant))
            return seen
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [row for rows in pool.map(worker, range(16)) for row in rows]
    assert len(results) == 16 * 40
    mismatches = [row for row in results if not (row[0] == row[1] == row[2])]
    assert mismatches == []
    assert len({row[0] for row in results}) == len(committed_tenants)


def test_sixty_four_asyncio_tasks_through_sync_to_async(committed_tenants):
    executor = ThreadPoolExecutor(max_workers=8)
    query = sync_to_async(observe, thread_sensitive=False, executor=executor)

    async def task(seed: int) -> list[tuple[str, str, str]]:
        rng = random.Random(seed)
        seen = []
        for _ in range(10):
            tenant = rng.choice(committed_tenants)
            with tenant_context(tenant):
                await asyncio.sleep(rng.random() / 1000)
                seen.append(await query(tenant))
        return seen

    async def main() -> list[tuple[str, str, str]]:
        batches = await asyncio.gather(*(task(seed) for seed in range(64)))
        return [row for rows in batches for row in rows]

    try:
        results = asyncio.run(main())
    finally:
        # One close per worker thread: each waits until all eight have started.
        gate = threading.Barrier(8)

        def close_in_worker() -> None:
            gate.wait()
            connections.close_all()

        list(executor.map(lambda _: close_in_worker(), range(8)))
        executor.shutdown()
    assert len(results) == 64 * 10
    assert [row for row in results if not (row[0] == row[1] == row[2])] == []
