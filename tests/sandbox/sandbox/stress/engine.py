"""The engine: runs each mode against the same tenants, bounded in time and in operations,
and counts operations, leaks (a result or a write in another tenant's schema) and errors.

A mode is a function ``run(context, budget, tally) -> str`` (the str describes its workers):
its workers take one operation at a time from the budget until it runs out, check what each
operation saw against the tenant it belongs to, and record that in the tally.
"""

from __future__ import annotations

import itertools
import random
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sandbox.stress.tenants import Site

EXAMPLES = 5  # leaks and errors described per mode


@dataclass
class Options:
    seconds: float = 10.0  # per mode
    operations: int | None = None  # per mode; None: as many as fit in the time
    threads: int = 16  # WSGI, moved, pool and pgbouncer workers
    tasks: int = 64  # asyncio tasks of the ASGI mode
    sockets: int = 32  # concurrent websockets of the Channels mode
    sabotage: float = 0.0  # share of operations misdirected behind tenantry's back
    seed: int = 0


class Budget:
    """Operations left to a mode: ``seconds`` from its first operation (so a server the mode
    starts first is not timed), and at most ``operations``."""

    def __init__(self, seconds: float, operations: int | None) -> None:
        self.seconds = seconds
        self.limit = operations
        self.started: float | None = None
        self._taken = itertools.count()
        self._lock = threading.Lock()

    def take(self) -> bool:
        now = time.monotonic()
        if self.started is None:
            with self._lock:
                if self.started is None:
                    self.started = now
        if now >= self.started + self.seconds:
            return False
        return self.limit is None or next(self._taken) < self.limit

    def elapsed(self, until: float | None) -> float:
        return 0.0 if self.started is None or until is None else until - self.started


@dataclass
class Tally:
    operations: int = 0
    leaks: int = 0
    errors: int = 0
    refused: int = 0  # a clear tenantry error instead of running: allowed, counted apart
    examples: list[str] = field(default_factory=list)
    finished: float | None = None  # when the last operation ended
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, what: str, leak: str | None) -> None:
        """One operation done; ``leak`` says what it saw in another tenant, if it did."""
        with self._lock:
            self.operations += 1
            self.finished = time.monotonic()
            if leak is not None:
                self.leaks += 1
                self._example(f"LEAK {what}: {leak}")

    def error(self, what: str, error: BaseException | str) -> None:
        with self._lock:
            self.operations += 1
            self.finished = time.monotonic()
            self.errors += 1
            if isinstance(error, BaseException):
                text = "".join(traceback.format_exception_only(error)).strip()
            else:
                text = error
            self._example(f"ERROR {what}: {text}")

    def refuse(self, what: str, error: BaseException) -> None:
        with self._lock:
            self.operations += 1
            self.finished = time.monotonic()
            self.refused += 1
            self._example(f"REFUSED {what}: {error}")

    def _example(self, text: str) -> None:
        if len(self.examples) < EXAMPLES:
            self.examples.append(text[:500])


@dataclass
class Context:
    """What every mode may use: the tenants, the options, the server and database."""

    sites: list[Site]
    options: Options
    server: Any  # postgres_harness.PostgresServer
    database_url: str  # of the database the tenants live in (for other processes)
    servers: dict[str, Any] = field(default_factory=dict)  # started by modes, kept for reruns
    _closers: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def rng(self, worker: int) -> random.Random:
        return random.Random(self.options.seed * 100_003 + worker)

    def sabotage(self, rng: random.Random, site: Site) -> str | None:
        """Another tenant's schema for a share ``options.sabotage`` of operations, else None."""
        if self.options.sabotage <= 0 or rng.random() >= self.options.sabotage:
            return None
        return self.other(rng, site).schema

    def other(self, rng: random.Random, site: Site) -> Site:
        while True:
            chosen = rng.choice(self.sites)
            if chosen is not site:
                return chosen

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()


@dataclass
class ModeResult:
    mode: str
    workers: str = ""
    operations: int = 0
    seconds: float = 0.0
    leaks: int = 0
    errors: int = 0
    refused: int = 0
    examples: list[str] = field(default_factory=list)
    skipped: str | None = None

    @property
    def rate(self) -> float:
        return self.operations / self.seconds if self.seconds else 0.0

    @property
    def failed(self) -> bool:
        return bool(self.leaks or self.errors)


Mode = Callable[[Context, Budget, Tally], str]


class ModeSkipped(Exception):  # noqa: N818 - not an error: the mode cannot run here
    """The mode needs something this machine lacks (say, pgbouncer)."""


def run_mode(name: str, mode: Mode, context: Context) -> ModeResult:
    tally = Tally()
    budget = Budget(context.options.seconds, context.options.operations)
    try:
        workers = mode(context, budget, tally)
    except ModeSkipped as skipped:
        return ModeResult(name, skipped=str(skipped))
    seconds = budget.elapsed(tally.finished)
    return ModeResult(
        name, workers, tally.operations, seconds, tally.leaks, tally.errors, tally.refused,
        tally.examples,
    )  # fmt: skip


def run_threads(count: int, work: Callable[[int], None]) -> None:
    """``work(index)`` in ``count`` threads started together; re-raises a worker's crash."""
    start = threading.Barrier(count)
    crashes: list[BaseException] = []

    def thread(index: int) -> None:
        try:
            start.wait()
            work(index)
        except BaseException as crash:
            crashes.append(crash)

    workers = [threading.Thread(target=thread, args=(i,), daemon=True) for i in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if crashes:
        raise crashes[0]


def _refusals() -> tuple[type[BaseException], ...]:
    from tenantry_django import errors

    # (Looked up, so the engine also runs on checkouts from before querysets were pinned.)
    refusal = getattr(errors, "CrossTenantError", None)
    return (refusal,) if refusal is not None else ()


@contextmanager
def operation(tally: Tally, what: str) -> Iterator[None]:
    """Count an exception escaping one operation as an error (tenantry's own clear errors as
    refusals) and let the worker go on."""
    try:
        yield
    except Exception as error:
        if isinstance(error, _refusals()):
            tally.refuse(what, error)
        else:
            tally.error(what, error)


HEADER = (
    f"{'mode':<11}{'workers':<34}{'operations':>11}{'ops/s':>9}{'leaks':>7}{'errors':>7}"
    f"{'refused':>8}"
)


def format_line(result: ModeResult) -> str:
    if result.skipped:
        return f"{result.mode:<11}skipped: {result.skipped}"
    return (
        f"{result.mode:<11}{result.workers:<34}{result.operations:>11}{result.rate:>9.0f}"
        f"{result.leaks:>7}{result.errors:>7}{result.refused:>8}"
    )


def format_total(results: list[ModeResult]) -> str:
    """The total line, then what the first leaks and errors of each mode were."""
    ran = [result for result in results if not result.skipped]
    operations = sum(result.operations for result in ran)
    leaks = sum(result.leaks for result in ran)
    errors = sum(result.errors for result in ran)
    lines = [f"total: operations {operations}, leaks {leaks}, errors {errors}"]
    lines.extend(f"  {result.mode}: {example}" for result in ran for example in result.examples)
    return "\n".join(lines)


def format_report(results: list[ModeResult]) -> str:
    return "\n".join([HEADER, *map(format_line, results), format_total(results)])


def exit_status(results: list[ModeResult]) -> int:
    """0 when every mode that ran saw no leak and no error, and did some work."""
    ran = [result for result in results if not result.skipped]
    return 1 if any(result.failed or not result.operations for result in ran) else 0
