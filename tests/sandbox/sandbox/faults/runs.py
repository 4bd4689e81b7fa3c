"""Worker threads looping over units of work while faults hit the connections under them."""

from __future__ import annotations

import random
import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import InterfaceError, InternalError, OperationalError, connections
from postgres_harness import psycopg3_only

from sandbox.faults.places import PUBLIC
from sandbox.faults.work import Read, plan_unit, unit_of_work
from tenantry_django.postgresql.base import DatabaseWrapper

# What a broken connection raises. psycopg (3.3) also raises InternalError "received 2 results
# from command 'COMMIT'" when a pooler relays the server's FATAL error and then hangs up.
ALLOWED_ERRORS = (OperationalError, InterfaceError, InternalError)
_LOST_IN_COMMAND = re.compile(r"received \d+ results from command ")
DJANGO_POOL = psycopg3_only("Django's connection pool (OPTIONS['pool']) needs psycopg_pool")
POOL = {"min_size": 2, "max_size": 4}
WAIT = 30.0  # seconds a run may take to reach a milestone before the test fails


@dataclass
class Run:
    """``threads`` workers looping over units of work until stopped. Faults split the run
    into phases; a unit counts in the phase it started in."""

    make_wrapper: Callable[[], DatabaseWrapper]
    alias: str
    threads: int
    reads: list[Read] = field(default_factory=list)
    errors: list[tuple[int, BaseException]] = field(default_factory=list)  # (phase, error)
    unexpected: list[BaseException] = field(default_factory=list)
    units: list[list[int]] = field(default_factory=list)  # [phase][thread] successful units
    _condition: threading.Condition = field(default_factory=threading.Condition)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    @property
    def phase(self) -> int:
        return len(self.units) - 1

    def next_phase(self) -> None:
        with self._condition:
            self.units.append([0] * self.threads)

    def errors_in(self, phase: int) -> int:
        return sum(1 for p, _ in self.errors if p == phase)

    def _work(self, index: int) -> None:
        wrapper = self.make_wrapper()
        connections[self.alias] = wrapper  # this thread's only
        rng = random.Random(index)
        plan = plan_unit(rng, self.alias)
        try:
            while not self._stop.is_set():
                phase, seen = self.phase, list[Read]()
                try:
                    try:
                        unit_of_work(index, self.alias, plan, seen)
                    finally:
                        wrapper.close_if_unusable_or_obsolete()  # Django's request boundary
                except ALLOWED_ERRORS as error:
                    if isinstance(error, InternalError) and not _LOST_IN_COMMAND.match(str(error)):
                        raise
                    with self._condition:
                        self.reads += seen  # what was read before the error counts too
                        self.errors.append((phase, error))
                    self._stop.wait(0.02)  # a restarting server refuses at once: do not spin
                    continue  # the client retries the same unit
                with self._condition:
                    self.reads += seen
                    self.units[phase][index] += 1
                    self._condition.notify_all()
                plan = plan_unit(rng, self.alias)
        except BaseException as error:
            with self._condition:
                self.unexpected.append(error)
                self._condition.notify_all()
        finally:
            wrapper.close()

    def wait_for_units(self, count: int) -> None:
        """Until every worker has got through ``count`` units of work in this phase."""
        phase = self.phase
        with self._condition:
            done = self._condition.wait_for(
                lambda: self.unexpected or min(self.units[phase]) >= count, timeout=WAIT
            )
        if self.unexpected:
            raise self.unexpected[0]
        assert done, (
            f"phase {phase}: units per worker {self.units[phase]} did not all reach {count} "
            f"within {WAIT} s; errors: {[repr(e) for p, e in self.errors if p == phase][-5:]}"
        )

    def __enter__(self) -> Run:
        self.next_phase()
        self._workers = [
            threading.Thread(target=self._work, args=(index,), daemon=True)
            for index in range(self.threads)
        ]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=WAIT)
        assert not any(worker.is_alive() for worker in self._workers), "workers still running"
        if self.unexpected:
            raise self.unexpected[0]


def run_with_faults(
    make_wrapper: Callable[[], DatabaseWrapper],
    alias: str,
    fault: Callable[[], None],
    *,
    threads: int,
    faults: int,
    units: int = 5,
) -> Run:
    """Workers get going, then ``fault()`` runs ``faults`` times; after each, every worker
    must get through ``units`` units of work again."""
    with Run(make_wrapper, alias, threads) as run:
        run.wait_for_units(units)
        for _ in range(faults):
            fault()
            run.next_phase()
            run.wait_for_units(units)
    return run


def report(run: Run) -> str:
    errors = [run.errors_in(phase) for phase in range(run.phase + 1)]
    units = [sum(counts) for counts in run.units]
    kinds = Counter(type(error).__name__ for _, error in run.errors)
    return (
        f"reads={len(run.reads)} errors per phase={errors} units per phase={units} "
        f"error kinds={dict(kinds)}"
    )


def wrong(run: Run) -> list[Read]:
    assert run.reads, "nothing was read"
    assert {r.expected for r in run.reads} > {PUBLIC}, "no tenant was read"
    return [r for r in run.reads if r.wrong]
