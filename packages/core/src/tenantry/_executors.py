"""The executor seam: how a command runs one task over many tenants.

Core defines the shapes; the CLI package supplies the built-in executors and calls them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["Executor", "ExecutorFactory", "ExecutorSpec"]


class Executor(Protocol):
    """Runs ``task(tenant)`` for each tenant and yields the results as they complete.

    Results may come in any order. Tasks never raise (they return outcomes), so an executor
    needs no error handling. A lazy executor lets the caller stop early by not asking for more.
    """

    def __call__(self, tenants: Sequence[Any], task: Callable[[Any], Any], /) -> Iterable[Any]: ...


class ExecutorFactory(Protocol):
    """Builds an executor. Every factory is given ``max_workers``
    (``TENANTRY_PARALLEL_MAX_PROCESSES``, None: the CPU count) and ``tasks_per_process``
    (``TENANTRY_TASKS_PER_PROCESS``), and must accept (and may ignore) options it does not know.
    """

    def __call__(
        self,
        *,
        max_workers: int | None = None,
        tasks_per_process: int | None = None,
        **options: Any,
    ) -> Executor: ...


@dataclass(frozen=True, slots=True)
class ExecutorSpec:
    """One named way of running a command over many tenants.

    ``stops_on_failure``: after a tenant fails, the caller asks for no further results and
    reports the remaining tenants as skipped (the built-in ``sequential`` does).
    """

    name: str
    factory: ExecutorFactory
    description: str = ""
    stops_on_failure: bool = False
