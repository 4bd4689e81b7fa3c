"""Tenant and domain rows used before ``migrate``: an error that names the table and says to
run migrate, wherever it surfaces; other database errors pass unchanged."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.test import Client, override_settings
from sandbox.customers.models import Domain, Tenant

from tenantry_django._catalog import DjangoTenantCatalog
from tenantry_django._missing_tables import tenant_tables_required
from tenantry_django.errors import TenantTableMissingError

ADVICE = "Run `manage.py migrate` first"


@pytest.fixture
def not_migrated(db: None) -> None:
    """The tenant and domain tables gone, as before the first migrate (rolled back)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE customers_domain RENAME TO customers_domain_later")
        cursor.execute("ALTER TABLE customers_tenant RENAME TO customers_tenant_later")


def refused(table: str, action) -> TenantTableMissingError:
    with pytest.raises(TenantTableMissingError) as caught, transaction.atomic():
        action()
    message = str(caught.value)
    assert f"Table {table!r} of " in message
    assert "does not exist in database 'default'" in message
    assert ADVICE in message
    assert isinstance(caught.value, ProgrammingError)  # handled where database errors are
    return caught.value


def test_saving_a_tenant_says_to_migrate(not_migrated):
    refused("customers_tenant", lambda: Tenant(schema_name="early").save())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'early'")
        assert cursor.fetchone() == (0,)  # no schema left behind


def test_saving_a_domain_says_to_migrate(not_migrated):
    refused("customers_domain", lambda: Domain(tenant_id=1, domain="early.test").save())


def test_a_request_routed_by_domain_says_to_migrate(not_migrated):
    refused("customers_domain", lambda: Client().get("/", headers={"host": "early.test"}))


@override_settings(TENANTRY_RESOLVERS=["header"])
def test_a_request_routed_by_header_says_to_migrate(not_migrated):
    refused("customers_tenant", lambda: Client().get("/", headers={"x-tenant": "early"}))


def test_selectors_reading_the_catalog_say_to_migrate(not_migrated):
    refused("customers_tenant", lambda: list(DjangoTenantCatalog().entries()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "statement",
    ["SELECT * FROM no_such_table", "SELECT FROM customers_tenant WHERE nope", "SELEKT 1"],
)
def test_other_programming_errors_pass_unchanged(statement):
    with (
        pytest.raises(ProgrammingError) as caught,
        transaction.atomic(),
        tenant_tables_required(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert not isinstance(caught.value, TenantTableMissingError)
