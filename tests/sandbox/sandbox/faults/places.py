"""Databases whose every schema names itself, and the places workers reach them.

Each schema (``fault_00`` ... and public) has a ``marker`` table holding its own name, and
every read returns both ``current_schema()`` and the markers: a path left on another tenant
or on public shows up in both. New sessions start in a ``decoy`` schema (the database's own
``search_path``), so a replaced connection used without tenantry's path is seen too, even
where public was wanted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from postgres_harness import PgBouncer, PostgresServer, quote_identifier

SCHEMAS = [f"fault_{index:02}" for index in range(24)]
PUBLIC = "public"
DECOY = "decoy"  # where a new session starts: no tenant, and not public


def create_marked_database(server: PostgresServer) -> str:
    """A database with a marked public, tenant schemas and a decoy: a new session starts in
    the decoy, so a connection used without tenantry's path (even for public) is seen."""
    name = f"tenantry_faults_{uuid.uuid4().hex[:12]}"
    server.create_database(name)
    with server.connect(name) as admin:
        for schema in [PUBLIC, DECOY, *SCHEMAS]:
            if schema != PUBLIC:
                admin.execute(f"CREATE SCHEMA {quote_identifier(schema)}")
            table = f"{quote_identifier(schema)}.marker"
            admin.execute(f"CREATE TABLE {table} (name text NOT NULL)")
            admin.execute(f"INSERT INTO {table} VALUES (%s)", [schema])
        admin.execute(
            f"ALTER DATABASE {quote_identifier(name)} SET search_path = {quote_identifier(DECOY)}"
        )
    with server.connect(name) as fresh:
        assert fresh.execute("SELECT current_schema()").fetchone() == (DECOY,)
    return name


@dataclass
class Place:
    """A database the workers reach: the server it lives on and where clients connect."""

    server: PostgresServer
    database: str
    host: str
    port: int

    def through(self, bouncer: PgBouncer) -> Place:
        return Place(self.server, self.database, bouncer.host, bouncer.port)

    def terminate_backends(self) -> int:
        """End every client backend of the database (waiting until each has gone), from a
        monitor connection to another database; how many there were."""
        with self.server.connect() as monitor:
            row = monitor.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                "FROM pg_stat_activity WHERE datname = %s AND backend_type = 'client backend'",
                [self.database],
            ).fetchone()
        return int(row[0]) if row else 0

    def started_at(self) -> Any:
        with self.server.connect() as monitor:
            row = monitor.execute("SELECT pg_postmaster_start_time()").fetchone()
        return row[0] if row else None


def marked_place(server: PostgresServer) -> Iterator[Place]:
    """A marked database on ``server`` for as long as the generator runs."""
    name = create_marked_database(server)
    try:
        yield Place(server, name, server.host, server.port)
    finally:
        server.drop_database(name)
