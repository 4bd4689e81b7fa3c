"""The search-path state of one connection, on its own: which statement goes out before the
next one, what is remembered once it went through, and what is forgotten when.

No database: the state only decides; the cursors and the wrapper send (their suites are
beside this one).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db.utils import OperationalError, ProgrammingError
from django.test import override_settings

from tenantry import SchemaDescriptor, tenant_context
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._path_statements import path_statements
from tenantry_django.postgresql._search_path import SearchPathState

ACME = SchemaDescriptor("acme")


def session(schema: str, *, checked: bool = False) -> str:
    scope = path_statements().session
    return scope.checked[schema] if checked else scope.set[schema]


def local(schema: str, *, checked: bool = False) -> str:
    scope = path_statements().transaction
    return scope.checked[schema] if checked else scope.set[schema]


class UnaskedConnection:
    """A driver connection that fails the test when asked anything: outside transaction
    pooling the state never asks whether a transaction is open."""

    def __getattr__(self, name: str) -> None:
        if name.startswith("__"):  # (pytest inspects module globals while collecting)
            raise AttributeError(name)
        pytest.fail(f"the driver connection was asked for {name!r}")


class DriverConnection:
    """What the state asks of the driver: libpq's transaction status (0: idle), as psycopg 3
    (``pgconn``) or psycopg2 (``info``) reports it."""

    def __init__(self, *, psycopg2: bool = False) -> None:
        self.status = SimpleNamespace(transaction_status=0)
        if psycopg2:
            self.info = self.status
        else:
            self.pgconn = self.status

    def idle(self, idle: bool) -> None:
        self.status.transaction_status = 0 if idle else 2  # 2: PQTRANS_INTRANS


NOT_POOLED = UnaskedConnection()


def to_send(state: SearchPathState) -> str | None:
    return state.statement_to_send(NOT_POOLED)


def sent(state: SearchPathState, connection: object = NOT_POOLED) -> str | None:
    """What the next statement sends first, as if it went through."""
    statement = state.statement_to_send(connection)
    if statement is not None:
        state.mark_applied()
    return statement


@pytest.fixture
def state() -> SearchPathState:
    return SearchPathState("default")


@pytest.fixture
def pointed_at_acme(state: SearchPathState) -> SearchPathState:
    with tenant_context(ACME):
        sent(state)
    return state


# -- session mode ------------------------------------------------------------------------


def test_a_new_connection_points_at_public_first(state):
    assert state.applied is None
    assert sent(state) == session("public")  # public exists: never checked
    assert state.applied == session("public")
    assert to_send(state) is None


def test_a_tenant_is_checked_the_first_time_then_trusted(state):
    with tenant_context(ACME):
        assert sent(state) == session("acme", checked=True)
        assert to_send(state) is None
    sent(state)  # public
    with tenant_context(ACME):
        assert sent(state) == session("acme")


def test_only_a_change_costs_a_statement(pointed_at_acme):
    with tenant_context(ACME):
        assert [to_send(pointed_at_acme) for _ in range(3)] == [None] * 3


def test_a_tenant_of_another_database_leaves_this_one_in_public(state):
    with tenant_context(SchemaDescriptor("elsewhere", database="other")):
        assert state.schema() == "public"
        assert sent(state) == session("public")


def test_nothing_is_remembered_until_the_statement_went_through(state):
    with tenant_context(ACME):
        to_send(state)
        assert state.applied is None
        assert to_send(state) == session("acme", checked=True)


def test_at_a_request_boundary_the_right_path_is_only_checked(pointed_at_acme):
    pointed_at_acme.check_schemas_again()
    with tenant_context(ACME):
        assert sent(pointed_at_acme) == path_statements().check["acme"]
        assert to_send(pointed_at_acme) is None
    assert pointed_at_acme.applied == session("acme")


def test_forget_sends_the_path_again_unchecked(pointed_at_acme):
    pointed_at_acme.forget()
    assert pointed_at_acme.applied is None
    with tenant_context(ACME):
        assert sent(pointed_at_acme) == session("acme")


def test_forget_with_checks_checks_the_schema_again(pointed_at_acme):
    pointed_at_acme.forget(checks=True)
    with tenant_context(ACME):
        assert sent(pointed_at_acme) == session("acme", checked=True)


def test_a_dropped_schema_is_checked_again_and_others_are_not(pointed_at_acme):
    with tenant_context(SchemaDescriptor("other")):
        sent(pointed_at_acme)
    pointed_at_acme.forget_schema("acme")
    assert pointed_at_acme.applied is None
    with tenant_context(ACME):
        assert sent(pointed_at_acme) == session("acme", checked=True)
    with tenant_context(SchemaDescriptor("other")):
        assert sent(pointed_at_acme) == session("other")


def test_a_changed_setting_sends_the_new_path(pointed_at_acme):
    with override_settings(TENANTRY_EXTRA_SEARCH_PATHS=["ext"]), tenant_context(ACME):
        statement = sent(pointed_at_acme)
        assert statement == 'SET search_path = "acme", "public", "ext"'
        assert to_send(pointed_at_acme) is None
    with tenant_context(ACME):
        assert sent(pointed_at_acme) == session("acme")


# -- transaction pooling -------------------------------------------------------------------


@pytest.mark.parametrize("psycopg2", [False, True], ids=["psycopg3", "psycopg2"])
def test_pooled_every_transaction_carries_a_local_path(psycopg2):
    state = SearchPathState("default")
    state.pooled = True
    connection = DriverConnection(psycopg2=psycopg2)
    with tenant_context(ACME):
        assert sent(state, connection) == local("acme", checked=True)
        connection.idle(False)  # the statement opened a transaction: its path is set
        assert state.statement_to_send(connection) is None
        connection.idle(True)  # it ended: the next one needs the path again, checked no more
        assert sent(state, connection) == local("acme")


def test_the_transaction_status_is_asked_only_when_pooled(state):
    with tenant_context(ACME):
        assert sent(state) == session("acme", checked=True)  # NOT_POOLED: never asked


# -- a missing schema ----------------------------------------------------------------------


class DriverError(Exception):
    """psycopg 3's errors carry the SQLSTATE as ``sqlstate``, psycopg2's as ``pgcode``."""

    def __init__(self, message: str, sqlstate: str, *, attribute: str = "sqlstate") -> None:
        super().__init__(message)
        setattr(self, attribute, sqlstate)


def django_error(
    kind: type[Exception], message: str, sqlstate: str, *, attribute: str = "sqlstate"
) -> Exception:
    error = kind(message)  # Django's, raised from the driver's
    error.__cause__ = DriverError(message, sqlstate, attribute=attribute)
    return error


MISSING = 'schema "acme" does not exist'


@pytest.mark.parametrize("attribute", ["sqlstate", "pgcode"], ids=["psycopg3", "psycopg2"])
def test_a_missing_schema_becomes_a_clear_error(state, attribute):
    error = django_error(ProgrammingError, MISSING, "3F000", attribute=attribute)
    with tenant_context(ACME):
        to_send(state)
        missing = state.missing_schema(error)
    assert isinstance(missing, TenantSchemaMissingError)
    assert 'The schema "acme" of tenant' in str(missing)
    assert "database 'default'" in str(missing)


@pytest.mark.parametrize(
    "error",
    [
        django_error(ProgrammingError, MISSING, "42P01"),  # another error
        django_error(ProgrammingError, 'schema "other" does not exist', "3F000"),
        django_error(OperationalError, MISSING, "3F000"),
    ],
    ids=["other-sqlstate", "other-schema", "not-a-programming-error"],
)
def test_other_errors_stay_as_they_are(state, error):
    with tenant_context(ACME):
        to_send(state)
        assert state.missing_schema(error) is None


def test_nothing_sent_means_no_missing_schema(state):
    assert state.missing_schema(django_error(ProgrammingError, MISSING, "3F000")) is None


def test_reporting_missing_schema_raises_the_clear_error_from_the_drivers(state):
    error = django_error(ProgrammingError, MISSING, "3F000")
    with tenant_context(ACME):
        to_send(state)
        with pytest.raises(TenantSchemaMissingError) as raised, state.reporting_missing_schema():
            raise error
    assert raised.value.__cause__ is error
    other = django_error(ProgrammingError, "syntax error", "42601")
    with pytest.raises(ProgrammingError) as raised, state.reporting_missing_schema():
        raise other
    assert raised.value is other


# -- no check of its own per request (postgresql/_search_path.py's docstring) --------------

DATA = "SELECT title FROM notes_note"


def test_after_a_boundary_a_data_statement_is_sent_alone_and_ddl_is_checked(pointed_at_acme):
    pointed_at_acme.check_schemas_again()
    with tenant_context(ACME):
        # acme's apps are tenant apps only: with acme gone the query fails by itself
        assert pointed_at_acme.statement_to_send(NOT_POOLED, DATA) is None
        # DDL would create its table in public: checked first
        ddl = pointed_at_acme.statement_to_send(NOT_POOLED, "CREATE TABLE t (id int)")
        assert ddl == path_statements().check["acme"]


def test_a_tenant_with_a_public_app_is_checked_after_every_boundary(state, settings):
    tenants = {**settings.TENANTS}
    tenants["public"] = {**tenants["public"], "APPS": [*tenants["public"]["APPS"], "sandbox.notes"]}
    with override_settings(TENANTS=tenants), tenant_context(ACME):
        assert sent(state) == session("acme", checked=True)
        assert state.statement_to_send(NOT_POOLED, DATA) is None  # checked in this request
        state.check_schemas_again()
        assert state.statement_to_send(NOT_POOLED, DATA) == path_statements().check["acme"]


def test_a_name_found_nowhere_has_the_schema_checked_with_the_next_statement(pointed_at_acme):
    error = django_error(ProgrammingError, 'relation "notes_note" does not exist', "42P01")
    with tenant_context(ACME):
        assert pointed_at_acme.statement_to_send(NOT_POOLED, DATA) is None
        assert pointed_at_acme.forget_after_error(error, None) is None  # (no connection)
        assert pointed_at_acme.statement_to_send(NOT_POOLED, DATA) == session("acme", checked=True)


def test_other_errors_only_forget_the_path(pointed_at_acme):
    error = django_error(ProgrammingError, "syntax error", "42601")
    with tenant_context(ACME):
        assert pointed_at_acme.forget_after_error(error, None) is None
        assert pointed_at_acme.statement_to_send(NOT_POOLED, DATA) == session("acme")


def test_without_tenants_configured_a_schema_is_checked_after_every_boundary(state):
    # The backend alone (Django's own test suite runs it so): nothing says where apps live.
    with override_settings(TENANTS=None), tenant_context(ACME):
        assert sent(state) == session("acme", checked=True)
        state.check_schemas_again()
        assert state.statement_to_send(NOT_POOLED, DATA) == path_statements().check["acme"]
