"""tenantry's isolation stress suite: many tenants, many concurrent paths, every operation
checked against the tenant it belongs to.

    hatch run stress [--tenants 120] [--seconds 10] [--operations N] [--modes wsgi,asgi,...]

Every tenant's schema holds a marker row titled with its own schema name; every operation
reads that row through the ORM (with ``current_schema()`` computed in the same statement) and
``SELECT current_schema()``, or writes and reads back, and checks both against the tenant it
belongs to. A mismatch is a leak. Modes (see :mod:`sandbox.stress.modes`): ``wsgi``,
``asgi``, ``channels``, ``streaming``, ``moved`` (querysets and instances used under another
tenant), ``pool`` (Django's psycopg pool) and ``pgbouncer`` (transaction pooling).

The command starts an embedded PostgreSQL (or uses ``TENANTRY_TEST_DATABASE_URL``'s server),
creates a database, migrates, creates the tenants and runs each mode in turn; the test suite
runs the same engine small (``tests/integration/test_isolation_stress.py``).
"""

from __future__ import annotations

from sandbox.stress.engine import (
    Context,
    ModeResult,
    Options,
    exit_status,
    format_line,
    format_report,
    format_total,
    run_mode,
)
from sandbox.stress.modes import MODES
from sandbox.stress.tenants import Site, create_sites, drop_sites


def run_modes(context: Context, names: list[str] | None = None) -> list[ModeResult]:
    return [run_mode(name, MODES[name], context) for name in names or list(MODES)]


__all__ = [
    "MODES",
    "Context",
    "ModeResult",
    "Options",
    "Site",
    "create_sites",
    "drop_sites",
    "exit_status",
    "format_line",
    "format_report",
    "format_total",
    "run_mode",
    "run_modes",
]
