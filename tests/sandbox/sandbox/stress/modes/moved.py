"""Querysets and instances moved between contexts, from many threads.

The rule (the README's, and ``tenantry_django.pinning``'s): a queryset of a tenant app is
bound to the tenant active when it was created and runs there wherever it is evaluated; an
instance remembers the tenant it was loaded from or saved in, and saving, refreshing or
deleting it (or using its related managers) goes there. Each operation makes a queryset or an
instance in tenant A and uses it while tenant B, or no tenant, is active (a third of the
time inside a transaction of B's). Its rows must be A's, computed in A's schema; its writes
must land in A and nowhere in B; and B's own statements, before and after, must run in B's
schema (public with no tenant).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from asgiref.sync import sync_to_async
from django.db import connections
from django.db.models import Max

from sandbox.stress.engine import Budget, Context, Tally, operation, run_threads
from sandbox.stress.modes import instances
from sandbox.stress.modes.acting import acting_in, context_problem, notes
from sandbox.stress.probe import (
    MARKER,
    SECOND_MARKER,
    CurrentSchema,
    current_schema,
    markers,
    misdirect,
)
from sandbox.stress.tenants import Site
from tenantry import tenant_context

NO_TENANT_SHARE = 0.25  # of operations that use A's queryset or instance with no tenant active
IN_TRANSACTION_SHARE = 0.33  # of operations whose B side runs inside transaction.atomic()


async def _collect(queryset: Any) -> list[Any]:
    return [row async for row in queryset]


def _aggregate(queryset: Any) -> list[tuple[str, str]]:
    found = queryset.aggregate(title=Max("title"), schema=Max(CurrentSchema()))
    return [(found["title"], found["schema"])]


def _interleaved(queryset: Any) -> list[Any]:
    """Iterate one row at a time with a statement of the active context in between."""
    rows = queryset.iterator(chunk_size=1)
    first = next(rows)
    current_schema()
    return [first, *rows]


def _raw() -> Any:
    return notes().raw(
        "SELECT id, title, current_schema() AS schema FROM notes_note WHERE body = %s", [MARKER]
    )


# name: (build the queryset in A, evaluate it in B) -> rows of (title, current_schema())
QUERYSETS: dict[str, tuple[Callable[[], Any], Callable[[Any], list[Any]]]] = {
    "list(qs)": (markers, list),
    "qs.iterator()": (markers, lambda qs: list(qs.iterator(chunk_size=10))),
    "qs.iterator() interleaved": (lambda: markers(MARKER, SECOND_MARKER), _interleaved),
    "qs.first()": (markers, lambda qs: [qs.first()]),
    "qs.get()": (markers, lambda qs: [qs.get()]),
    "qs[:3]": (markers, lambda qs: list(qs[:3])),
    "qs.filter() then list": (markers, lambda qs: list(qs.filter(title__startswith="stress_"))),
    "async for": (markers, lambda qs: asyncio.run(_collect(qs))),
    "await qs.afirst()": (markers, lambda qs: [asyncio.run(qs.afirst())]),
    "qs.aggregate()": (lambda: notes().filter(body=MARKER), _aggregate),
    "raw()": (_raw, lambda raw: [(note.title, note.schema) for note in raw]),
}
TWO_ROWS = {"qs.iterator() interleaved"}


def _queryset_operation(
    name: str, home: Site, away: Site | None, atomic: bool, sabotage: str | None
) -> str | None:
    build, evaluate = QUERYSETS[name]
    with tenant_context(home.tenant):
        queryset = build()
        current_schema()  # the connection now points at A, as far as tenantry knows
    if sabotage:
        misdirect(sabotage)
    with acting_in(away, atomic) as seen:
        rows = [tuple(row) for row in evaluate(queryset)]
    expected = [(home.schema, home.schema)] * (2 if name in TWO_ROWS else 1)
    problems = [] if rows == expected else [f"rows {rows}"]
    problems.append(context_problem(away, seen) or "")
    return "; ".join(filter(None, problems)) or None


def _close_shared_thread() -> None:
    """``async for`` ran in asgiref's one shared sync thread: close its connection there."""
    asyncio.run(sync_to_async(connections.close_all)())


def run(context: Context, budget: Budget, tally: Tally) -> str:
    threads = context.options.threads
    names = [*QUERYSETS, *instances.ACTIONS]

    def work(index: int) -> None:
        rng = context.rng(index)
        try:
            while budget.take():
                home = rng.choice(context.sites)
                away = None if rng.random() < NO_TENANT_SHARE else context.other(rng, home)
                name, sabotage = rng.choice(names), context.sabotage(rng, home)
                # (B's first statement in a transaction would undo a misdirection.)
                atomic = rng.random() < IN_TRANSACTION_SHARE and sabotage is None
                where = (away.schema if away else "no tenant") + (
                    " in a transaction" if atomic else ""
                )
                if name in QUERYSETS:
                    what = f"{name} of a queryset made in {home.schema}, run in {where}"
                    with operation(tally, what):
                        leak = _queryset_operation(name, home, away, atomic, sabotage)
                        tally.record(what, leak)
                else:
                    origin = rng.choice(instances.ORIGINS)
                    what = f"{name} of an instance {origin} in {home.schema}, called in {where}"
                    with operation(tally, what):
                        leak = instances.operation(name, origin, home, away, atomic, sabotage)
                        tally.record(what, leak)
        finally:
            connections.close_all()

    try:
        run_threads(threads, work)
    finally:
        _close_shared_thread()
    return f"{threads} threads"
