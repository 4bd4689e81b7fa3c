"""1,000 requests over 20 tenants from 16 threads, and through the ASGI handler from 64
concurrent tasks: each response reports the schema the database used and the URL it
reversed, and each matches the tenant its host names."""

from __future__ import annotations

import asyncio
import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.db import connections
from django.test import Client
from sandbox.customers.models import Domain, Tenant

Site = tuple[str, str, str]  # tenant schema, host, path


@pytest.fixture
def twenty_sites(transactional_db) -> Any:
    """Ten tenants on hosts of their own and ten in subfolders of one host, committed."""
    sites: list[Site] = []
    tenants = []
    for index in range(20):
        tenant = Tenant(schema_name=f"site_{index}")
        tenant.save()
        tenants.append(tenant)
        if index < 10:
            Domain.objects.create(tenant=tenant, domain=f"site{index}.test")
            sites.append((tenant.schema_name, f"site{index}.test", "/"))
        else:
            Domain.objects.create(tenant=tenant, domain="shared.test", folder=f"f{index}")
            sites.append((tenant.schema_name, "shared.test", f"/f{index}/"))
    yield sites
    connections.close_all()
    for tenant in tenants:
        tenant.delete(force_drop=True)


def expected(site: Site) -> dict[str, Any]:
    name, _, path = site
    return {"tenant": name, "schema": name, "url": path, "folder": path.strip("/") or None}


def test_a_thousand_requests_from_sixteen_threads(twenty_sites):
    start = threading.Barrier(16)
    plan = [random.Random(i).choice(twenty_sites) for i in range(1000)]
    chunks = [plan[i::16] for i in range(16)]

    def worker(chunk: list[Site]) -> list[tuple[Site, int, dict[str, Any]]]:
        client = Client()
        start.wait()
        try:
            results = []
            for site in chunk:
                response = client.get(site[2], headers={"host": site[1]})
                results.append((site, response.status_code, json.loads(response.content)))
            return results
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = [row for rows in pool.map(worker, chunks) for row in rows]
    assert len(results) == 1000
    assert [r for r in results if r[1] != 200 or r[2] != expected(r[0])] == []
    assert len({r[0][0] for r in results}) == 20


async def asgi_get(application: Any, host: str, path: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", host.encode())],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    messages: list[dict[str, Any]] = []
    request_sent = False

    async def receive() -> dict[str, Any]:
        nonlocal request_sent
        if not request_sent:
            request_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)  # no disconnect while the response is produced
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await application(scope, receive, send)
    status = next(m["status"] for m in messages if m["type"] == "http.response.start")
    content = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return status, content


def test_the_asgi_handler_with_sixty_four_concurrent_tasks(twenty_sites):
    application = get_asgi_application()
    plan = [random.Random(i).choice(twenty_sites) for i in range(1000)]

    async def task(chunk: list[Site]) -> list[tuple[Site, int, dict[str, Any]]]:
        results = []
        for site in chunk:
            status, content = await asgi_get(application, site[1], site[2])
            results.append((site, status, json.loads(content)))
        return results

    async def main() -> list[tuple[Site, int, dict[str, Any]]]:
        try:
            batches = await asyncio.gather(*(task(plan[i::64]) for i in range(64)))
        finally:
            await sync_to_async(connections.close_all)()
        return [row for rows in batches for row in rows]

    results = asyncio.run(main())
    assert len(results) == 1000
    assert [r for r in results if r[1] != 200 or r[2] != expected(r[0])] == []


def test_the_asgi_handler_answers_unknown_hosts_with_404(twenty_sites):
    application = get_asgi_application()

    async def main() -> tuple[tuple[int, bytes], tuple[int, bytes]]:
        try:
            return (
                await asgi_get(application, "nobody.test", "/"),
                await asgi_get(application, "shared.test", "/nowhere/"),
            )
        finally:
            await sync_to_async(connections.close_all)()

    unknown, unknown_folder = asyncio.run(main())
    assert unknown[0] == 404
    assert unknown_folder[0] == 404
