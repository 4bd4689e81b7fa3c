"""Entry point of the ``tenantry`` plugin group for this package: the built-in executors.

No Django imports at module level: core may load plugins where Django is not configured.
"""

from __future__ import annotations

from collections.abc import Iterable

import tenantry

__all__ = ["tenantry_register_executors"]


@tenantry.hookimpl
def tenantry_register_executors() -> Iterable[tenantry.ExecutorSpec]:
    from tenantry_cli import _executors

    return [
        tenantry.ExecutorSpec(
            "sequential",
            _executors.sequential,
            "one schema at a time; stops at a failure",
            stops_on_failure=True,
        ),
        tenantry.ExecutorSpec(
            "parallel",
            _executors.parallel,
            "threads, at most TENANTRY_PARALLEL_MAX_PROCESSES (None: CPU count)",
        ),
        tenantry.ExecutorSpec(
            "processes",
            _executors.processes,
            "worker processes, replaced every TENANTRY_TASKS_PER_PROCESS schemas",
        ),
    ]
