"""Fixtures for tenantry_cli's suites: committed tenants that commands (and their worker
threads and processes) can see, dropped again afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import psycopg
import pytest
from django.db import connection, connections
from sandbox.customers.models import Domain, Tenant

from tenantry import tenant_context


def _conninfo(alias: str = "default") -> str:
    settings = connections[alias].settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=settings["NAME"],
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )


@pytest.fixture
def admin() -> Iterator[psycopg.Connection]:
    """A connection of its own (autocommit), to look at schemas as an operator would."""
    with psycopg.connect(_conninfo(), autocommit=True) as conn:
        yield conn


@pytest.fixture
def make_fleet(transactional_db: None) -> Iterator[Callable[..., list[Tenant]]]:
    """``make_fleet(count, prefix="cli", migrate=True)``: committed tenants with a domain
    ``<schema>.fleet.test`` and one note titled with the schema name (when migrated).

    ``migrate=False`` creates rows only (no schema), as tenants created before tenantry
    manages them. Every schema made here, or by the commands under test, is dropped after.
    """
    made: list[Tenant] = []

    def make(count: int, prefix: str = "cli", *, migrate: bool = True) -> list[Tenant]:
        from sandbox.notes.models import Note

        tenants = []
        for index in range(count):
            schema = f"{prefix}_{index}"
            if migrate:
                tenant = Tenant(schema_name=schema)
                tenant.save()
                with tenant_context(tenant):
                    Note.objects.create(title=schema)
            else:
                tenant = Tenant.objects.bulk_create([Tenant(schema_name=schema)])[0]
            Domain.objects.create(tenant=tenant, domain=f"{schema.replace('_', '-')}.fleet.test")
            tenants.append(tenant)
        made.extend(tenants)
        return tenants

    yield make
    with psycopg.connect(_conninfo(), autocommit=True) as admin:
        # Worker threads' connections may linger; the test database must stay droppable.
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND backend_type = 'client backend'"
        )
    connection.close()
    with psycopg.connect(_conninfo(), autocommit=True) as admin:
        # Every tenant row's schema, also of tenants a test made on its own.
        rows = admin.execute("SELECT schema_name FROM customers_tenant").fetchall()
        for tenant in [*made, *(Tenant(schema_name=name) for (name,) in rows)]:
            admin.execute(
                psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(tenant.schema_name)
                )
            )
        for key in ("www",):  # static tenants commands may have created
            admin.execute(
                psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(key)
                )
            )


@pytest.fixture(autouse=True)
def _fresh_resolver_caches() -> Iterator[None]:
    from tenantry_django.resolvers import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def static_schemas() -> Iterator[None]:
    """For tests that let commands run on static tenants in both databases: the schemas
    ``www`` (default) and ``archive`` (other) are dropped afterwards. Such tests need
    ``@pytest.mark.django_db(transaction=True, databases=["default", "other"])``."""
    yield
    for alias, schema in (("default", "www"), ("other", "archive")):
        with psycopg.connect(_conninfo(alias), autocommit=True) as admin:
            admin.execute(
                psycopg.sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                    psycopg.sql.Identifier(schema)
                )
            )


def parse_summary(output: str) -> dict[str, str]:
    """``{schema: status}`` from the plain summary a tenant command prints off a terminal."""
    _, found, rest = output.partition("Summary: ")
    assert found, f"no summary in:\n{output}"
    outcomes = {}
    for line in rest.splitlines()[1:]:
        schema, _, remainder = line.strip().partition(": ")
        outcomes[schema] = remainder.split(" ", 1)[0]
    return outcomes


@pytest.fixture
def summary() -> Callable[[str], dict[str, str]]:
    """``summary(stdout)``: each schema's outcome (ok, failed, skipped) from a run's output."""
    return parse_summary
