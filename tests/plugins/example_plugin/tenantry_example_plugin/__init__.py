"""An example third-party plugin: a header resolver and a "reverse" executor.

The resolver answers requests that carry ``X-Example-Tenant: <schema>``; the executor runs a
task over tenants in reverse order. Both exist to show, and test, that tenantry finds plugins
installed by any package through the ``tenantry`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

import tenantry

T = TypeVar("T")
R = TypeVar("R")
HEADER = "x-example-tenant"


def resolve_by_example_header(request: tenantry.RequestInfo) -> tenantry.Resolution | None:
    schema_name = request.header(HEADER)
    if not schema_name:
        return None
    return tenantry.Resolution(tenant=tenantry.SchemaDescriptor(schema_name), resolver="example")


@tenantry.hookimpl
def tenantry_register_resolvers() -> Iterable[tenantry.ResolverSpec]:
    # Chosen by its name in TENANTRY_RESOLVERS, e.g. ["example", "domain"].
    return [
        tenantry.ResolverSpec(
            name="example",
            resolve=resolve_by_example_header,
            description="the X-Example-Tenant header (example plugin)",
        )
    ]


def run_in_reverse(tenants: Sequence[T], task: Callable[[T], R]) -> list[R]:
    """An executor: run ``task`` once per tenant, return (or yield) the results in any order.

    Tasks never raise (each returns its tenant's outcome), so an executor needs no error
    handling; the runner puts the outcomes back in the tenants' order.
    """
    return [task(tenant) for tenant in reversed(tenants)]


@tenantry.hookimpl
def tenantry_register_executors() -> Iterable[tenantry.ExecutorSpec]:
    return [
        tenantry.ExecutorSpec(
            name="reverse",
            # Called with the options every executor gets (max_workers, tasks_per_process).
            factory=lambda **options: run_in_reverse,
            description="Run tenants last to first (example plugin)",
        )
    ]
