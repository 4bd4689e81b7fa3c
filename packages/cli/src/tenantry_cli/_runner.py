"""Run one action per tenant through an executor; collect every tenant's outcome.

Actions never stop the run by raising: each tenant's error becomes its outcome, so one
failing schema never hides the others' results. An executor that declares
``stops_on_failure`` (the built-in ``sequential``) stops after the first failure (the rest
are reported as skipped); every other executor finishes them all.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.management.base import CommandError
from rich.console import Console
from rich.table import Table

import tenantry
from tenantry import Executor, ExecutorSpec, Tenant
from tenantry_cli._progress import RunProgress
from tenantry_django.conf import get_settings
from tenantry_django.migration import Place

__all__ = [
    "DEFAULT_EXECUTOR",
    "Outcome",
    "drain",
    "executor_spec",
    "fail_if_any_failed",
    "guarded",
    "in_order",
    "print_summary",
    "run_for_tenants",
]

DEFAULT_EXECUTOR = "sequential"


@dataclass(frozen=True)
class Outcome:
    """What happened to one tenant. Plain values only: outcomes cross process boundaries.

    ``schema`` is the tenant's label, for display; ``place`` (set on every outcome a run
    makes) is where it happened, the key runs find a tenant's outcome by.
    """

    schema: str
    status: str  # "ok", "failed" or "skipped"
    detail: str = ""
    error: str = ""
    seconds: float = 0.0
    place: Place | None = None

    @classmethod
    def of(cls, tenant: Tenant, status: str, detail: str = "", **fields: Any) -> Outcome:
        place = Place.of(tenant)
        return cls(place.label, status, detail, place=place, **fields)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def key(self) -> Place:
        """``place``; a run's outcomes always have one."""
        if self.place is None:
            raise ValueError(f"the outcome of {self.schema!r} says no place")
        return self.place


def describe_error(error: BaseException) -> str:
    """``Type: message`` plus where it was raised (the innermost frame), on one line."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f" (at {frames[-1].filename}:{frames[-1].lineno})" if frames else ""
    message = str(error).strip().replace("\n", " | ")
    return f"{type(error).__name__}: {message}{where}"


def executor_spec(name: str) -> ExecutorSpec:
    """The installed executor called ``name``; a ``CommandError`` listing them otherwise."""
    executors = tenantry.get_executors()
    spec = executors.get(name)
    if spec is None:
        raise CommandError(
            f"Unknown executor {name!r}. Installed executors: {', '.join(executors) or 'none'}."
        )
    return spec


def make_executor(name: str) -> Executor:
    current = get_settings()
    return executor_spec(name).factory(
        max_workers=current.parallel_max_processes,
        tasks_per_process=current.tasks_per_process,
    )


def guarded(action: Callable[[Tenant], str | None]) -> Callable[[Tenant], Outcome]:
    """``action`` as a task that reports instead of raising."""

    def task(tenant: Tenant) -> Outcome:
        started = time.perf_counter()
        try:
            detail = action(tenant) or ""
        except Exception as error:
            return Outcome.of(
                tenant,
                "failed",
                error=describe_error(error),
                seconds=time.perf_counter() - started,
            )
        return Outcome.of(tenant, "ok", detail, seconds=time.perf_counter() - started)

    return task


def run_for_tenants(
    tenants: Sequence[Tenant],
    action: Callable[[Tenant], str | None],
    *,
    executor: str = DEFAULT_EXECUTOR,
    progress_stream: IO[str] | Any = None,
) -> list[Outcome]:
    """Every tenant's outcome, in the order of ``tenants``."""
    by_place: dict[Place, Outcome] = {}
    stops_on_failure = executor_spec(executor).stops_on_failure
    with RunProgress(progress_stream, len(tenants)) as progress:

        def finish(outcome: Outcome) -> bool:
            by_place[outcome.key] = outcome
            progress.advance(outcome.schema, outcome.ok, outcome.detail)
            return not outcome.ok and stops_on_failure

        drain(executor, tenants, guarded(action), finish)
    return in_order(tenants, by_place)


def drain(
    executor: str,
    tenants: Sequence[Tenant],
    task: Callable[[Tenant], Outcome],
    finish: Callable[[Outcome], bool],
) -> None:
    """Run ``task`` over ``tenants`` through ``executor``, handing each outcome to
    ``finish`` as it arrives; stop asking for more once ``finish`` returns True."""
    results = make_executor(executor)(list(tenants), task)
    try:
        for outcome in results:
            if finish(outcome):
                break
    finally:
        close = getattr(results, "close", None)
        if close is not None:  # a lazy executor: run nothing more
            close()


def in_order(tenants: Sequence[Tenant], by_place: dict[Place, Outcome]) -> list[Outcome]:
    """Outcomes in the order of ``tenants``; those never run are reported skipped."""
    return [
        by_place.get(Place.of(tenant))
        or Outcome.of(tenant, "skipped", "not run: an earlier schema failed")
        for tenant in tenants
    ]


def print_summary(outcomes: Sequence[Outcome], stream: IO[str] | Any) -> None:
    """A table of every schema's outcome; one line per schema when not on a terminal."""
    failed = [o for o in outcomes if o.status == "failed"]
    skipped = [o for o in outcomes if o.status == "skipped"]
    headline = (
        f"{len(outcomes)} schema(s): {len(outcomes) - len(failed) - len(skipped)} ok, "
        f"{len(failed)} failed, {len(skipped)} skipped"
    )
    if getattr(stream, "isatty", lambda: False)():
        table = Table(title=headline)
        for column in ("schema", "outcome", "seconds", "detail / error"):
            table.add_column(column)
        for o in outcomes:
            style = {"ok": "green", "failed": "bold red", "skipped": "yellow"}[o.status]
            table.add_row(o.schema, f"[{style}]{o.status}", f"{o.seconds:.2f}", o.error or o.detail)
        Console(file=stream).print(table)
        return
    stream.write(f"Summary: {headline}\n")
    for o in outcomes:
        stream.write(f"  {o.schema}: {o.status} ({o.seconds:.2f}s) {o.error or o.detail}\n")
    stream.flush()


def fail_if_any_failed(outcomes: Sequence[Outcome]) -> None:
    failed = [o.schema for o in outcomes if o.status == "failed"]
    if failed:
        raise CommandError(f"Failed in {len(failed)} schema(s): {', '.join(failed)}.")
