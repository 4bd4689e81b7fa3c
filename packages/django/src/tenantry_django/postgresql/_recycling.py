"""Recycle a connection whose server session has served too many tenant schemas.

PostgreSQL never evicts the catalog and relation caches a backend has loaded: a server
session that has run queries in N schemas keeps every one of their tables and indexes
(~0.25 MiB a schema for a 15-model app, measured by ``bench:backend-memory``). Only ending
the session frees them. ``TENANTRY_RECYCLE_AFTER_SCHEMAS`` (default 100, None: never) bounds
that: once a server session has had more distinct tenant schemas on its search path, the
connection is closed at the next request boundary, and the next query opens a new session.

- Counting: the search-path state adds every schema it applies to ``visited``, the set of
  the server session the connection holds (:func:`connected` hands it over).
- A request boundary is Django's ``close_if_unusable_or_obsolete()`` (``close_old_connections``
  at request start and end, Celery around tasks): :func:`recycle_if_due` runs there and
  never while a transaction or an atomic block is open, while another thread shares the
  connection, or while a server-side cursor (an iterator still being read) is open: the
  next boundary does it then.
- Django's pool (``OPTIONS["pool"]``): closing hands a connection back to the pool, which
  would keep its server session (and its caches) for the next request. So the count belongs
  to the pooled driver connection, not to the wrapper, and a due one is closed before it is
  returned: psycopg_pool discards a closed connection and opens a replacement.
- ``TENANTRY_TRANSACTION_POOLING`` aliases are never recycled: the pooler owns the server
  sessions (its ``server_lifetime`` bounds them), and closing the client frees none.
"""

from __future__ import annotations

import weakref
from typing import Any

from django.db import DatabaseError

from tenantry import PUBLIC_SCHEMA
from tenantry_django.conf import get_settings

__all__ = ["connected", "recycle_due", "recycle_if_due", "tenant_schemas_served"]

_IDLE = 0  # libpq's PQTRANS_IDLE (psycopg 3 and psycopg2 alike)
_OPEN_CURSORS = "SELECT EXISTS (SELECT FROM pg_catalog.pg_cursors)"

# The schemas each pooled server session served: a session outlives the wrapper's
# connections to it (weak: gone when the pool drops the driver connection).
_sessions: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def connected(wrapper: Any, connection: Any) -> None:
    """``wrapper`` now holds the driver ``connection``: count into its server session's set
    (a new session's is empty; one from Django's pool keeps what it served before)."""
    if not getattr(wrapper, "pool", None):  # Django 5.1+, psycopg 3 with OPTIONS["pool"]
        wrapper.tenantry_search_path.visited = set()
        return
    visited = _sessions.get(connection)
    if visited is None:
        visited = _sessions[connection] = set()
    wrapper.tenantry_search_path.visited = visited


def tenant_schemas_served(wrapper: Any) -> int:
    """How many distinct tenant schemas (public aside) the connection's server session has
    had on its search path."""
    visited = wrapper.tenantry_search_path.visited
    return len(visited) - (PUBLIC_SCHEMA in visited)


def recycle_due(wrapper: Any) -> bool:
    """Whether the connection's server session served more schemas than the setting allows
    and it can be closed now without breaking anything that still uses it."""
    if wrapper.connection is None:
        return False
    limit = get_settings().recycle_after_schemas(wrapper.alias)
    if limit is None or tenant_schemas_served(wrapper) <= limit:
        return False
    if wrapper.tenantry_search_path.pooled:
        return False  # the pooler's server sessions: its server_lifetime bounds them
    if wrapper.in_atomic_block or wrapper.needs_rollback or wrapper.allow_thread_sharing:
        return False
    if not _transaction_idle(wrapper.connection):
        return False  # a transaction opened past Django's atomic (autocommit off, raw BEGIN)
    return not _cursors_open(wrapper)


def recycle_if_due(wrapper: Any) -> bool:
    """At a request boundary: close the connection when :func:`recycle_due`; the next query
    connects again. Returns whether it did."""
    if not recycle_due(wrapper):
        return False
    if getattr(wrapper, "pool", None):
        # Closed first, Django's close() hands it back and psycopg_pool discards it (and
        # opens a replacement when it is under min_size) instead of keeping its session.
        wrapper.connection.close()
    wrapper.close()
    return True


def _transaction_idle(connection: Any) -> bool:
    pgconn = getattr(connection, "pgconn", None)  # psycopg 3; psycopg2 has connection.info
    status = pgconn.transaction_status if pgconn is not None else connection.info.transaction_status
    return bool(status == _IDLE)


def _cursors_open(wrapper: Any) -> bool:
    """Whether the session holds a server-side cursor that outlived its transaction (Django
    declares them WITH HOLD in autocommit): asked only when a recycle is due, in one round
    trip past tenantry's cursors. Outside autocommit none survives an idle transaction."""
    if not wrapper.connection.autocommit:
        return False
    try:
        with wrapper.wrap_database_errors, wrapper.connection.cursor() as cursor:
            cursor.execute(_OPEN_CURSORS)
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        return True  # a broken connection: Django's own check right after closes it
