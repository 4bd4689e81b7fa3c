"""Fixtures for tenantry_django's suites: tenants, and statements counted on the server."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from postgres_harness import AdminConnection, connect, django_conninfo, terminate_other_sessions
from sandbox.customers.models import Domain, Tenant

from tenantry import tenant_context

STATS_SCHEMA = "tenantry_stats"


def unique_schema(prefix: str = "t") -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


@pytest.fixture
def make_tenant(db: None) -> Callable[..., Tenant]:
    """Create dynamic tenants inside the test's transaction (rolled back afterwards)."""

    def make(schema_name: str | None = None, domain: str | None = None, **fields: Any) -> Tenant:
        tenant = Tenant(schema_name=schema_name or unique_schema(), **fields)
        tenant.save()
        if domain:
            Domain.objects.create(tenant=tenant, domain=domain)
        return tenant

    return make


def _conninfo(alias: str = "default") -> str:
    return django_conninfo(connections[alias].settings_dict)


class StatementCounter:
    """Reads pg_stat_statements (on a connection of its own) for the test database."""

    def __init__(self, monitor: AdminConnection) -> None:
        self._monitor = monitor

    def reset(self) -> None:
        self._monitor.execute(f"SELECT {STATS_SCHEMA}.pg_stat_statements_reset()")

    def _calls(self, condition: str) -> int:
        row = self._monitor.execute(
            f"SELECT coalesce(sum(calls), 0)::int FROM {STATS_SCHEMA}.pg_stat_statements s "
            "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s "
            f"AND s.query NOT ILIKE '%%pg_stat_statements%%' AND ({condition})",
            [connection.settings_dict["NAME"]],
        ).fetchone()
        return int(row[0]) if row else 0

    def statements(self) -> int:
        """Every statement the test database received since the last reset."""
        return self._calls("true")

    def search_path_statements(self) -> int:
        return self._calls("s.query ILIKE 'SET search_path%%' OR s.query ILIKE '%%set_config(%%'")


@pytest.fixture(scope="session")
def _statistics_extension(django_db_setup: None, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock(), connect(_conninfo()) as admin:
        admin.execute(f"CREATE SCHEMA IF NOT EXISTS {STATS_SCHEMA}")
        admin.execute(f"CREATE EXTENSION IF NOT EXISTS pg_stat_statements SCHEMA {STATS_SCHEMA}")


@pytest.fixture
def statement_counter(_statistics_extension: None, db: None) -> Iterator[StatementCounter]:
    with connect(_conninfo()) as monitor:
        counter = StatementCounter(monitor)
        counter.reset()
        yield counter


def _committed_tenants(count: int) -> Iterator[list[Tenant]]:
    from sandbox.notes.models import Note

    tenants = []
    for index in range(count):
        tenant = Tenant(schema_name=f"committed_{index}")
        tenant.save()
        Domain.objects.create(tenant=tenant, domain=f"committed{index}.example.com")
        with tenant_context(tenant):
            Note.objects.create(title=tenant.schema_name)
        tenants.append(tenant)
    yield tenants
    terminate_other_sessions(_conninfo())  # threads' connections may linger
    connection.close()
    for tenant in tenants:
        tenant.delete(force_drop=True)


@pytest.fixture
def committed_tenants(transactional_db: None) -> Iterator[list[Tenant]]:
    """Eight committed tenants (``committed_<i>`` on ``committed<i>.example.com``), each with
    one note titled with its schema name.

    For tests whose threads and transactions need data other connections can see; the
    schemas are dropped before pytest-django empties the tables (sessions left by threads, or
    by a pooler's server connections, are ended first).
    """
    yield from _committed_tenants(8)


@pytest.fixture
def many_committed_tenants(transactional_db: None) -> Iterator[list[Tenant]]:
    """The same with twenty-four tenants."""
    yield from _committed_tenants(24)


@pytest.fixture
def static_schema(db: None) -> Callable[[str], Any]:
    """Create and migrate a static tenant's schema (what runschema will do) in the test."""
    from tenantry_django.conf import get_settings
    from tenantry_django.migration import migrate_schema
    from tenantry_django.schemas import create_schema

    def make(key: str) -> Any:
        descriptor = get_settings().tenants.statics[key].descriptor
        create_schema(key, descriptor.database)
        migrate_schema(descriptor)
        return descriptor

    return make


@pytest.fixture(autouse=True)
def _fresh_resolver_caches() -> Iterator[None]:
    """Rolled-back rows send no signal: start and end every test with empty host caches."""
    from tenantry_django.routing import clear_caches

    clear_caches()
    yield
    clear_caches()
