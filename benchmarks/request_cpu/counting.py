"""Statements and round trips per request, for the side that is switched on.

Statements are counted by the server (``pg_stat_statements``, switched on for the side's own
session only, as in ``request_overhead``): a ``SET search_path`` sent in front of a query
counts as a statement of its own. Round trips are counted by the client: libpq's protocol
trace (psycopg 3 only) over the same requests, one per ``ReadyForQuery`` the server sent,
which is one per wait for the server when nothing is pipelined. Under psycopg2 there is no
trace to read, and round trips are reported as unknown.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

from benchmarks import driver
from benchmarks.request_overhead.worker import statements, track

__all__ = ["round_trips", "statements_per_request"]


def statements_per_request(
    connection: Any,
    monitor: driver.Connection,
    request: Callable[[str], None],
    hosts: list[str],
    count: int,
) -> float:
    """Statements the server ran per request over ``count`` requests cycling ``hosts``."""
    track(connection, "all")
    monitor.execute("SELECT pg_stat_statements_reset()")
    for index in range(count):
        request(hosts[index % len(hosts)])
    counted = statements(monitor, connection.settings_dict["NAME"])
    track(connection, "none")
    return counted / count


def round_trips(
    connection: Any, request: Callable[[str], None], hosts: list[str], count: int
) -> float | None:
    """Waits for the server per request over ``count`` requests, or None (not psycopg 3)."""
    connection.ensure_connection()
    pgconn = getattr(connection.connection, "pgconn", None)
    if pgconn is None:
        return None
    from psycopg import pq

    with tempfile.TemporaryFile("w+b") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        try:
            for index in range(count):
                request(hosts[index % len(hosts)])
        finally:
            pgconn.untrace()  # flushes the trace
        trace.seek(0)
        ready = sum(
            1
            for line in trace.read().splitlines()
            if line.startswith(b"B\t") and b"\tReadyForQuery\t" in line
        )
    return ready / count
