from __future__ import annotations

import asyncio
import random
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import async_to_sync, sync_to_async

import tenantry
from tenantry import SchemaDescriptor, activate, deactivate, get_current_tenant, tenant_context

ALPHA = SchemaDescriptor("alpha")
BETA = SchemaDescriptor("beta")
GAMMA = SchemaDescriptor("gamma", database="other")


@pytest.fixture(autouse=True)
def no_tenant_after_test():
    yield
    deactivate()


def test_nothing_is_active_by_default():
    assert get_current_tenant() is None


def test_activate_and_deactivate():
    activate(ALPHA)
    assert get_current_tenant() is ALPHA
    activate(GAMMA)
    assert get_current_tenant() is GAMMA
    deactivate()
    assert get_current_tenant() is None


def test_activate_rejects_objects_that_are_not_tenants():
    with pytest.raises(TypeError, match="needs string attributes 'schema_name' and 'database'"):
        activate(object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tenant_context("alpha")  # type: ignore[arg-type]
    assert get_current_tenant() is None


def test_any_object_with_schema_name_and_database_is_a_tenant():
    class Row:
        schema_name = "customer"
        database = "shard_2"

    row = Row()
    with tenant_context(row) as active:
        assert active is row
        assert get_current_tenant() is row
    assert isinstance(row, tenantry.Tenant)


def test_nesting_restores_each_outer_tenant():
    with tenant_context(ALPHA):
        with tenant_context(BETA):
            with tenant_context(None):
                assert get_current_tenant() is None
            assert get_current_tenant() is BETA
        assert get_current_tenant() is ALPHA
    assert get_current_tenant() is None


def test_exception_in_nested_block_restores_outer_tenant():
    def fail_inside_beta() -> None:
        with tenant_context(BETA):
            assert get_current_tenant() is BETA
            raise RuntimeError("boom")

    with tenant_context(ALPHA):
        with pytest.raises(RuntimeError, match="boom"):
            fail_inside_beta()
        assert get_current_tenant() is ALPHA
    assert get_current_tenant() is None


def test_context_restores_a_tenant_activated_outside_it():
    activate(ALPHA)
    with tenant_context(BETA):
        activate(GAMMA)  # a stray activate inside the block is undone on exit
    assert get_current_tenant() is ALPHA


def test_decorator_on_plain_function():
    @tenant_context(BETA)
    def which(expected_argument: int) -> tuple[int, object]:
        return expected_argument, get_current_tenant()

    with tenant_context(ALPHA):
        assert which(7) == (7, BETA)
        assert get_current_tenant() is ALPHA
    assert which.__name__ == "which"


def test_decorator_restores_after_exception():
    @tenant_context(BETA)
    def fail() -> None:
        raise ValueError(get_current_tenant())

    with tenant_context(ALPHA):
        with pytest.raises(ValueError, match="beta"):
            fail()
        assert get_current_tenant() is ALPHA


def test_decorator_on_async_function_holds_across_awaits():
    @tenant_context(GAMMA)
    async def which() -> object:
        await asyncio.sleep(0)
        first = get_current_tenant()
        await asyncio.sleep(0.001)
        return first, get_current_tenant()

    async def main() -> tuple[object, object]:
        with tenant_context(ALPHA):
            result = await which()
            return result, get_current_tenant()

    assert asyncio.run(main()) == ((GAMMA, GAMMA), ALPHA)


def test_async_with():
    async def main() -> list[object]:
        seen = []
        async with tenant_context(ALPHA):
            seen.append(get_current_tenant())
            async with tenant_context(BETA):
                await asyncio.sleep(0)
                seen.append(get_current_tenant())
            seen.append(get_current_tenant())
        seen.append(get_current_tenant())
        return seen

    assert asyncio.run(main()) == [ALPHA, BETA, ALPHA, None]


def test_sixteen_threads_with_nested_activations_never_see_each_other():
    tenants = [SchemaDescriptor(f"tenant_{i}") for i in range(16)]
    inner = [SchemaDescriptor(f"inner_{i}") for i in range(16)]
    start = threading.Barrier(16)
    mismatches: list[str] = []

    def work(index: int) -> int:
        start.wait()
        checks = 0
        assert get_current_tenant() is None  # a new thread starts with no tenant
        for round_number in range(300):
            with tenant_context(tenants[index]):
                if get_current_tenant() is not tenants[index]:
                    mismatches.append(f"outer {index} round {round_number}")
                with tenant_context(inner[index]):
                    if random.random() < 0.3:
                        threading.Event().wait(0.0001)  # let other threads interleave
                    if get_current_tenant() is not inner[index]:
                        mismatches.append(f"inner {index} round {round_number}")
                    checks += 1
                if get_current_tenant() is not tenants[index]:
                    mismatches.append(f"restore {index} round {round_number}")
        return checks

    with ThreadPoolExecutor(max_workers=16) as pool:
        counts = list(pool.map(work, range(16)))
    assert mismatches == []
    assert counts == [300] * 16


def test_two_hundred_asyncio_tasks_each_keep_their_tenant_across_awaits():
    async def task(index: int) -> list[str]:
        tenant = SchemaDescriptor(f"t_{index}")
        seen = []
        with tenant_context(tenant):
            for _ in range(5):
                await asyncio.sleep(random.random() / 1000)
                seen.append(get_current_tenant().schema_name)  # type: ignore[union-attr]
        return seen

    async def main() -> list[list[str]]:
        with tenant_context(ALPHA):
            results = await asyncio.gather(*(task(i) for i in range(200)))
            assert get_current_tenant() is ALPHA
            return results

    results = asyncio.run(main())
    assert results == [[f"t_{i}"] * 5 for i in range(200)]


def test_sync_to_async_carries_the_tenant_into_the_worker_thread():
    def in_thread() -> tuple[object, int]:
        return get_current_tenant(), threading.get_ident()

    async def main() -> tuple[object, int]:
        with tenant_context(BETA):
            return await sync_to_async(in_thread, thread_sensitive=False)()

    tenant, thread_id = asyncio.run(main())
    assert tenant is BETA
    assert thread_id != threading.get_ident()


def test_async_to_sync_carries_the_tenant_into_the_event_loop():
    async def in_loop() -> object:
        await asyncio.sleep(0)
        return get_current_tenant()

    with tenant_context(GAMMA):
        assert async_to_sync(in_loop)() is GAMMA
        assert get_current_tenant() is GAMMA


def test_concurrent_sync_to_async_calls_each_see_their_own_tenant():
    def report() -> str:
        return get_current_tenant().schema_name  # type: ignore[union-attr]

    async def one(index: int) -> str:
        with tenant_context(SchemaDescriptor(f"s_{index}")):
            await asyncio.sleep(0)
            return await sync_to_async(report, thread_sensitive=False)()

    async def main() -> list[str]:
        return await asyncio.gather(*(one(i) for i in range(64)))

    assert asyncio.run(main()) == [f"s_{i}" for i in range(64)]


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str | None, str | None]] = []

    @tenantry.hookimpl
    def tenantry_tenant_activated(self, tenant, previous):
        self.events.append(("activated", tenant.schema_name, previous and previous.schema_name))

    @tenantry.hookimpl
    def tenantry_tenant_deactivated(self, previous):
        self.events.append(("deactivated", None, previous and previous.schema_name))


def test_activation_hooks_are_told_every_change(clean_plugins):
    recorder = Recorder()
    tenantry.get_plugin_manager().register(recorder)
    with tenant_context(ALPHA), tenant_context(BETA):
        pass
    activate(GAMMA)
    deactivate()
    assert recorder.events == [
        ("activated", "alpha", None),
        ("activated", "beta", "alpha"),
        ("activated", "alpha", "beta"),
        ("deactivated", None, "alpha"),
        ("activated", "gamma", None),
        ("deactivated", None, "gamma"),
    ]


def test_enter_and_leave_tenant_restore_what_was_current():
    activate(GAMMA)
    outer = tenantry.enter_tenant(ALPHA)
    inner = tenantry.enter_tenant(None)
    assert get_current_tenant() is None
    tenantry.leave_tenant(inner)
    assert get_current_tenant() is ALPHA
    tenantry.leave_tenant(outer)
    assert get_current_tenant() is GAMMA


def test_enter_and_leave_tenant_tell_the_activation_hooks(clean_plugins):
    recorder = Recorder()
    tenantry.get_plugin_manager().register(recorder)
    token = tenantry.enter_tenant(ALPHA)
    tenantry.leave_tenant(token)
    assert recorder.events == [("activated", "alpha", None), ("deactivated", None, "alpha")]


def test_a_resolution_refuses_an_object_that_is_not_a_tenant():
    # The middleware activates a resolution's tenant without checking it again.
    with pytest.raises(TypeError, match="needs string attributes 'schema_name' and 'database'"):
        tenantry.Resolution(object())  # type: ignore[arg-type]
