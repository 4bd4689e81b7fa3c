"""Connections that break under the tenants: the machinery of the fault suites
(``tests/django/connection_faults``).

Worker threads, each with a tenantry ``DatabaseWrapper`` of its own, loop over units of work
on tenant schemas (in autocommit, in a transaction, across a tenant switch in one
transaction, then with no tenant) while the connections under them fail: the server restarts,
or every backend of the database is terminated, directly, under Django's own psycopg pool or
behind pgbouncer in transaction mode. Between requests a worker does what Django does
(``close_if_unusable_or_obsolete``), and a unit that failed is retried. Errors are allowed
at the fault; a result from any schema but the active tenant's (public included; with no
tenant, public's) is not, and after every fault each worker must get through units of work
again on its own.

- :mod:`sandbox.faults.places`: databases whose every schema names itself, and where
  clients reach them (directly or through a pooler);
- :mod:`sandbox.faults.work`: one worker's unit of work and what each read saw;
- :mod:`sandbox.faults.runs`: the threads, the faults between them, and the verdict.
"""

from __future__ import annotations

from sandbox.faults.places import DECOY, PUBLIC, SCHEMAS, Place, marked_place
from sandbox.faults.runs import DJANGO_POOL, POOL, Run, report, run_with_faults, wrong
from sandbox.faults.work import Read, read, wrapper_factory

__all__ = [
    "DECOY",
    "DJANGO_POOL",
    "POOL",
    "PUBLIC",
    "SCHEMAS",
    "Place",
    "Read",
    "Run",
    "marked_place",
    "read",
    "report",
    "run_with_faults",
    "wrapper_factory",
    "wrong",
]
