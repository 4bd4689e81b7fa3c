"""Transactional tests in a project whose tenant tables reference shared ones (a note's author
is a user): the flush after each test neither fails nor leaves a tenant behind, for
``TenantTransactionTestCase`` and for the pytest fixtures; a plain TransactionTestCase gets
the refusal that says what to use."""

from __future__ import annotations

import unittest
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase
from sandbox.customers.models import Tenant
from sandbox.notes.models import Note, Tag

from tenantry import tenant_context
from tenantry_django.schemas import flushing_every_schema
from tenantry_django.testing import TEMPLATE_SCHEMA, TenantTransactionTestCase, drop_template_schema


def schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = %s)", [name])
        return bool(cursor.fetchone()[0])


def commit_an_authored_tenant(schema_name: str) -> Tenant:
    author = User.objects.create(username=f"author_of_{schema_name}")
    tenant = Tenant(schema_name=schema_name)
    tenant.save()
    with tenant_context(tenant):
        Note.objects.create(title="authored", author=author)
    return tenant


def run(case: type[unittest.TestCase], *names: str) -> unittest.TestResult:
    """Run test case methods the way Django's runner does (class setup included)."""
    result = unittest.TestResult()
    unittest.TestSuite(case(name) for name in names).run(result)
    return result


@pytest.fixture
def outside_pytest_django(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Database access with no test case of pytest-django's around: the cases run here bring
    their own. Whatever a failing case left is flushed afterwards."""
    with django_db_blocker.unblock():
        yield
        drop_template_schema()
        with flushing_every_schema():
            call_command("flush", interactive=False, verbosity=0)


def test_tenant_transaction_test_case_flushes_every_schema(outside_pytest_django: None) -> None:
    seen: list[str] = []

    class Committing(TenantTransactionTestCase):
        def test_1_commits_authored_notes(self) -> None:
            author = User.objects.create(username="author")
            Note.objects.create(title="mine", author=author)  # in self.tenant, active
            commit_an_authored_tenant("tx_extra")
            seen.append(self.tenant.schema_name)

        def test_2_starts_from_nothing(self) -> None:
            assert not User.objects.exists()
            assert list(Tenant.objects.all()) == [self.tenant]  # a new one
            assert not schema_exists(seen[0])
            assert not schema_exists("tx_extra")
            assert not Note.objects.exists()
            assert list(Tag.objects.values_list("name", flat=True)) == ["welcome"]
            seen.append(self.tenant.schema_name)

    result = run(Committing, "test_1_commits_authored_notes", "test_2_starts_from_nothing")

    assert (result.testsRun, result.errors, result.failures) == (2, [], [])
    assert not any(schema_exists(name) for name in [*seen, TEMPLATE_SCHEMA])
    assert not Tenant.objects.exists()


def test_a_plain_transaction_test_case_is_told_what_to_use(outside_pytest_django: None) -> None:
    class Plain(TransactionTestCase):
        def test_commits_an_authored_tenant(self) -> None:
            commit_an_authored_tenant("tx_plain")

    result = run(Plain, "test_commits_an_authored_tenant")

    ((_, error),) = result.errors  # the flush after the test refused
    assert "tx_plain.notes_note (references auth_user)" in error
    assert "TenantTransactionTestCase" in error
    assert User.objects.filter(username="author_of_tx_plain").exists()  # nothing flushed


def test_a_pytest_transactional_test_commits_an_authored_tenant(transactional_db: None) -> None:
    commit_an_authored_tenant("tx_pytest")


def test_the_next_test_finds_it_gone_with_its_schema(transactional_db: None) -> None:
    assert not User.objects.exists()
    assert not Tenant.objects.exists()
    assert not schema_exists("tx_pytest")
