"""Refill the pool in the background after a claim (``TENANTRY_SPARE_REFILL_IN_BACKGROUND``).

The refill starts once the claim's transaction committed (``transaction.on_commit``: a
rolled-back claim took nothing), in a daemon thread with its own connections, closed when it
ends. One refill per database at a time in this process; a claim during a refill leaves
it to that refill's next round. :func:`wait_for_background_refills` joins them (tests, and
code shutting down cleanly).
"""

from __future__ import annotations

import logging
import threading

from django.db import connections, transaction

__all__ = ["schedule_refill", "wait_for_background_refills"]

logger = logging.getLogger("tenantry.spares")

_lock = threading.Lock()
_running: dict[str, threading.Thread] = {}
_again: set[str] = set()  # databases claimed from while their refill ran


def _refill(database: str) -> None:
    from tenantry_django._spare_pool import refresh_pool

    try:
        while True:
            try:
                refresh_pool(database, top_up_only=True)
            except Exception:
                logger.exception("Refilling the spare schemas of database %r failed", database)
                break
            with _lock:  # checked and cleared at once: a claim now starts a new refill
                if database not in _again:
                    _running.pop(database, None)
                    return
                _again.discard(database)
        with _lock:
            _running.pop(database, None)
            _again.discard(database)
    finally:
        connections.close_all()  # this thread's own connections


def _start(database: str) -> None:
    with _lock:
        if database in _running:
            _again.add(database)
            return
        thread = threading.Thread(
            target=_refill, args=(database,), name=f"tenantry-spares-{database}", daemon=True
        )
        _running[database] = thread
    thread.start()


def schedule_refill(database: str) -> None:
    """Top ``database``'s pool up in a thread once the current transaction commits."""
    transaction.on_commit(lambda: _start(database), using=database)


def wait_for_background_refills(timeout: float | None = None) -> None:
    """Wait for every background refill of this process to end."""
    while True:
        with _lock:
            threads = list(_running.values())
        if not threads:
            return
        for thread in threads:
            thread.join(timeout)
            if timeout is not None and thread.is_alive():
                return
