"""Fixtures for tenantry_cli's suites: committed tenants that commands (and their worker
threads and processes) can see, dropped again afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.db import connection, connections
from postgres_harness import (
    AdminConnection,
    connect,
    django_conninfo,
    quote_identifier,
    terminate_other_sessions,
)
from sandbox.customers.models import Domain, Tenant

from tenantry import tenant_context


def _conninfo(alias: str = "default") -> str:
    return django_conninfo(connections[alias].settings_dict)


@pytest.fixture
def admin() -> Iterator[AdminConnection]:
    """A connection of its own (autocommit), to look at schemas as an operator would."""
    with connect(_conninfo()) as conn:
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
    terminate_other_sessions(_conninfo())  # worker threads' connections may linger
    connection.close()
    with connect(_conninfo()) as admin:
        # Every tenant row's schema (also of tenants a test made on its own), and the static
        # tenant commands may have created.
        rows = admin.execute("SELECT schema_name FROM customers_tenant").fetchall()
        for schema in {*(t.schema_name for t in made), *(name for (name,) in rows), "www"}:
            admin.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(schema)} CASCADE")


@pytest.fixture(autouse=True)
def _fresh_resolver_caches() -> Iterator[None]:
    from tenantry_django.routing import clear_caches

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
        with connect(_conninfo(alias)) as admin:
            admin.execute(f"DROP SCHEMA IF EXISTS {quote_identifier(schema)} CASCADE")


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


# -- the fleet migrate's suites (test_migrate*.py) ---------------------------------------------


@pytest.fixture
def fleet_migrate() -> Callable[..., None]:
    """``fleet_migrate(*selectors, executor="sequential", **options)``: ``migrate`` of the
    selected tenant schemas (default ``:dynamic:``), public skipped, quietly."""
    from django.core.management import call_command

    def migrate(*selectors: str, executor: str = "sequential", **options: object) -> None:
        call_command(
            "migrate",
            "-s",
            *(selectors or (":dynamic:",)),
            "--executor",
            executor,
            "--skip-public",
            verbosity=0,
            **options,
        )

    return migrate


@pytest.fixture
def recorded(admin: AdminConnection) -> Callable[[str], set[tuple[str, str]] | None]:
    """``recorded(schema)``: the migrations a schema's ``django_migrations`` holds (None:
    no such table)."""

    def read(schema: str) -> set[tuple[str, str]] | None:
        exists = admin.execute(
            "SELECT to_regclass(format('%%I.django_migrations', %s::text)) IS NOT NULL", [schema]
        ).fetchone()[0]
        if not exists:
            return None
        query = f"SELECT app, name FROM {quote_identifier(schema)}.django_migrations"
        return set(admin.execute(query).fetchall())

    return read


@pytest.fixture
def snapshot(
    admin: AdminConnection, recorded: Callable[[str], object]
) -> Callable[[str], dict[str, object]]:
    """``snapshot(schema)``: what Django built in a schema, with the schema's name taken out."""

    def take(schema: str) -> dict[str, object]:
        def rows(query: str) -> list[tuple]:
            found = admin.execute(query, [schema]).fetchall()
            return sorted(
                tuple(str(v).replace(f'"{schema}".', "").replace(f"{schema}.", "") for v in row)
                for row in found
            )

        return {
            "columns": rows(
                "SELECT table_name, column_name, data_type, is_nullable, column_default "
                "FROM information_schema.columns WHERE table_schema = %s"
            ),
            "constraints": rows(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE n.nspname = %s"
            ),
            "indexes": rows(
                "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s"
            ),
            "migrations": recorded(schema),
        }

    return take


@pytest.fixture
def schema_present(admin: AdminConnection) -> Callable[[str], bool]:
    """``schema_present(schema)``: whether the schema exists."""

    def exists(schema: str) -> bool:
        query = "SELECT 1 FROM pg_namespace WHERE nspname = %s"
        return bool(admin.execute(query, [schema]).fetchone())

    return exists


@pytest.fixture
def reference_behind(admin: AdminConnection) -> Iterator[str]:
    """The clone reference ``sample``, committed at the sandbox's own migrations: behind by
    two under the ``notes`` migrations with unique titles. Dropped afterwards."""
    from tenantry_django.schemas import create_clone_reference

    create_clone_reference()
    yield "sample"
    admin.execute("DROP SCHEMA IF EXISTS sample CASCADE")
