"""Two tenants using the same keys through every built-in backend never see each other's
entries, and entries stored with no tenant active stay apart from both."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tenantry import SchemaDescriptor, tenant_context


@pytest.fixture
def two_tenants(tenant_factory):
    return tenant_factory("cache_a"), tenant_factory("cache_b")


def test_the_same_key_holds_each_tenants_own_value(cache, two_tenants):
    acme, globex = two_tenants
    with tenant_context(acme):
        cache.set("color", "red")
    with tenant_context(globex):
        assert cache.get("color") is None  # not acme's
        cache.set("color", "blue")
    cache.set("color", "green")  # no tenant: public

    with tenant_context(acme):
        assert cache.get("color") == "red"
    with tenant_context(globex):
        assert cache.get("color") == "blue"
    assert cache.get("color") == "green"


def test_bulk_and_counter_operations_stay_inside_the_tenant(cache, two_tenants):
    acme, globex = two_tenants
    with tenant_context(acme):
        cache.set_many({"visits": 1, "plan": "gold"})
    with tenant_context(globex):
        cache.set_many({"visits": 10})
        assert cache.add("plan", "free") is True  # acme's "plan" is not in globex's way
        assert cache.get_many(["visits", "plan"]) == {"visits": 10, "plan": "free"}
    with tenant_context(acme):
        assert cache.incr("visits") == 2
        assert cache.has_key("plan")
        cache.delete("plan")
    with tenant_context(globex):
        assert cache.get_many(["visits", "plan"]) == {"visits": 10, "plan": "free"}


def test_versions_are_kept_per_tenant(cache, two_tenants):
    acme, globex = two_tenants
    with tenant_context(acme):
        cache.set("report", "v1", version=1)
        cache.set("report", "v2", version=2)
    with tenant_context(globex):
        assert cache.get("report", version=1) is None
        assert cache.get("report", version=2) is None
    with tenant_context(acme):
        assert (cache.get("report", version=1), cache.get("report", version=2)) == ("v1", "v2")


@pytest.mark.parametrize("cache", ["locmem", "redis"], indirect=True)
def test_concurrent_threads_and_tasks_keep_their_tenants_keys(cache):
    """Keys follow each thread's and each asyncio task's own active tenant."""
    tenants = [SchemaDescriptor(f"conc_{i}") for i in range(8)]

    def in_thread(index: int) -> list[str]:
        tenant = tenants[index % len(tenants)]
        seen = []
        for round_number in range(20):
            with tenant_context(tenant):
                cache.set("who", f"{tenant.schema_name}/{round_number}")
                time.sleep(0.001)  # let the other threads write the same key meanwhile
                seen.append(cache.get("who"))
        return [value for value in seen if not value.startswith(f"{tenant.schema_name}/")]

    with ThreadPoolExecutor(max_workers=16) as pool:
        assert [bad for bad in pool.map(in_thread, range(32)) if bad] == []

    async def in_task(tenant: SchemaDescriptor) -> str:
        with tenant_context(tenant):
            await cache.aset("who", tenant.schema_name)
            await asyncio.sleep(0.001)
            return str(await cache.aget("who"))

    async def main() -> list[str]:
        return await asyncio.gather(*(in_task(t) for t in tenants * 4))

    assert asyncio.run(main()) == [t.schema_name for t in tenants * 4]
