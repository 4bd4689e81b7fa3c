"""Pinned iteration: each step runs in the bound tenant and nothing around it does, also in
streaming responses and concurrent async tasks."""

from __future__ import annotations

import asyncio

from asgiref.sync import async_to_sync
from django.test import AsyncClient, Client
from sandbox.customers.models import Domain
from sandbox.notes.models import Note

from tenantry import get_current_tenant, tenant_context


def streamed_lines(response) -> list[str]:
    return b"".join(response.streaming_content).decode().splitlines()


def test_a_streaming_response_is_produced_in_the_requests_tenant(two, titles_in):
    a, _ = two
    response = Client().get("/notes/streamed/", headers={"host": "a.pinning.test"})
    assert response.status_code == 200
    assert get_current_tenant() is None
    assert streamed_lines(response) == [
        f"schema {a.schema_name}",
        *(f"note {title}" for title in titles_in(a)),
    ]
    assert get_current_tenant() is None


def test_an_async_streaming_response_is_produced_in_the_requests_tenant(two, titles_in):
    _, b = two
    # AsyncClient always sends Host "testserver" (a second Host would be joined to it).
    Domain.objects.create(tenant=b, domain="testserver", is_primary=False)

    async def fetch() -> list[str]:
        response = await AsyncClient().get("/notes/streamed-async/")
        assert response.status_code == 200
        parts = [part async for part in response.streaming_content]
        assert get_current_tenant() is None
        return b"".join(parts).decode().splitlines()

    lines = async_to_sync(fetch)()
    assert lines[0] == f"schema {b.schema_name}"
    assert sorted(lines[1:]) == [f"note {title}" for title in titles_in(b)]


def test_pinned_steps_do_not_leak_the_tenant_into_the_consumer(two):
    a, b = two
    with tenant_context(a):
        notes = Note.objects.values_list("title", flat=True)
    seen = []
    with tenant_context(b):
        for _title in notes.iterator(chunk_size=1):
            seen.append(get_current_tenant())
    assert seen
    assert all(tenant is b for tenant in seen)


def test_async_tasks_keep_their_own_bindings(two, titles_in):
    a, b = two
    with tenant_context(a):
        of_a = Note.objects.values_list("title", flat=True)
    with tenant_context(b):
        of_b = Note.objects.values_list("title", flat=True)

    async def main() -> list[list[str]]:
        async def read(qs) -> list[str]:
            return sorted([title async for title in qs])

        return list(await asyncio.gather(read(of_a), read(of_b), read(of_a)))

    assert async_to_sync(main)() == [titles_in(a), titles_in(b), titles_in(a)]
