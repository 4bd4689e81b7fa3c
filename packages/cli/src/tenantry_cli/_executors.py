"""The built-in executors: how a task runs over many tenants.

Each function here is a ``tenantry.ExecutorFactory``: it returns a ``tenantry.Executor`` that
runs ``task(tenant)`` for each tenant and yields the results as they complete. A lazy executor
(``sequential``) lets the caller stop after a failure simply by not asking for more.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from tenantry import Executor

__all__ = ["parallel", "processes", "sequential"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TASKS_PER_PROCESS = 100


def worker_count(max_workers: int | None, tenants: int) -> int:
    return max(1, min(max_workers or os.cpu_count() or 1, tenants))


def sequential(**options: Any) -> Executor:
    def run(tenants: Sequence[T], task: Callable[[T], R]) -> Iterator[R]:
        for tenant in tenants:
            yield task(tenant)

    return run


def parallel(*, max_workers: int | None = None, **options: Any) -> Executor:
    """Threads; each keeps its own database connections for all its tenants and closes them
    when the queue is empty (Django's connections are per thread)."""

    def run(tenants: Sequence[T], task: Callable[[T], R]) -> Iterator[R]:
        from django.db import connections

        work: queue.SimpleQueue[T] = queue.SimpleQueue()
        for tenant in tenants:
            work.put(tenant)
        results: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        stop = threading.Event()

        def worker() -> None:
            try:
                while not stop.is_set():
                    try:
                        tenant = work.get_nowait()
                    except queue.Empty:
                        return
                    try:
                        results.put((True, task(tenant)))
                    except BaseException as error:  # tasks report; this is a bug: re-raise
                        results.put((False, error))
            finally:
                connections.close_all()

        threads = [
            threading.Thread(target=worker, name=f"tenantry-parallel-{index}", daemon=True)
            for index in range(worker_count(max_workers, len(tenants)))
        ]
        for thread in threads:
            thread.start()
        try:
            for _ in range(len(tenants)):
                ok, value = results.get()
                if not ok:
                    raise value
                yield value
        finally:
            stop.set()  # a caller that stops early: threads finish their current tenant
            for thread in threads:
                thread.join()

    return run


# The forked workers find the task and the tenants here: inherited, never pickled (tasks are
# closures over commands and options). Only an index goes in and an outcome comes back.
_forked: tuple[Sequence[Any], Callable[[Any], Any]] | None = None


def _run_forked(index: int) -> Any:
    assert _forked is not None
    tenants, task = _forked
    return task(tenants[index])


def _forget_inherited_connections() -> None:
    # The parent's sockets belong to the parent: drop them without closing them.
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        connection.connection = None
        connection.close()


def processes(
    *,
    max_workers: int | None = None,
    tasks_per_process: int | None = None,
    **options: Any,
) -> Executor:
    """Forked worker processes, each with its own connections, replaced after a number of
    tenants (``TENANTRY_TASKS_PER_PROCESS``, default 100) so memory stays flat."""

    def run(tenants: Sequence[T], task: Callable[[T], R]) -> Iterator[R]:
        global _forked
        from django.db import connections

        connections.close_all()  # nothing open to inherit
        _forked = (tenants, task)
        context = multiprocessing.get_context("fork")
        try:
            with context.Pool(
                worker_count(max_workers, len(tenants)),
                initializer=_forget_inherited_connections,
                maxtasksperchild=tasks_per_process or DEFAULT_TASKS_PER_PROCESS,
            ) as pool:
                yield from pool.imap_unordered(_run_forked, range(len(tenants)))
        finally:
            _forked = None

    return run
