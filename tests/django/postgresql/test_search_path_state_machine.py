"""Random sequences of activate / atomic / savepoint / rollback / query / server-side cursor:
every statement runs in the schema of the tenant active when it is sent."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sandbox.notes.models import Note

from tenantry import activate, deactivate, get_current_tenant
from tenantry_django.errors import NoActiveTenantError


class RollbackRequestedError(Exception):
    pass


class SearchPathMachine(RuleBasedStateMachine):
    tenants: list = []

    def __init__(self) -> None:
        super().__init__()
        self.atomics: list[transaction.Atomic] = []
        deactivate()

    def expected_schema(self) -> str:
        tenant = get_current_tenant()
        return "public" if tenant is None else tenant.schema_name

    @rule(index=st.integers(min_value=0, max_value=7))
    def activate_tenant(self, index):
        activate(self.tenants[index])

    @rule()
    def deactivate_tenant(self):
        deactivate()

    @precondition(lambda self: len(self.atomics) < 4)
    @rule()
    def begin_atomic(self):  # a transaction, or a savepoint when nested
        block = transaction.atomic()
        block.__enter__()
        self.atomics.append(block)

    @precondition(lambda self: self.atomics)
    @rule()
    def commit_atomic(self):
        self.atomics.pop().__exit__(None, None, None)

    @precondition(lambda self: self.atomics)
    @rule()
    def roll_back_atomic(self):
        error = RollbackRequestedError()
        self.atomics.pop().__exit__(RollbackRequestedError, error, None)

    @rule()
    def query_current_schema(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_schema()")
            assert cursor.fetchone() == (self.expected_schema(),)

    @rule()
    def query_model(self):
        if get_current_tenant() is None:
            with pytest.raises(NoActiveTenantError):
                Note.objects.count()
            return
        assert list(Note.objects.values_list("title", flat=True)) == [self.expected_schema()]

    @precondition(lambda self: get_current_tenant() is not None)
    @rule()
    def server_side_cursor(self):
        with transaction.atomic():  # named cursors need a transaction
            titles = [note.title for note in Note.objects.iterator(chunk_size=1)]
        assert titles == [self.expected_schema()]

    @precondition(lambda self: not self.atomics)
    @rule()
    def reconnect(self):
        connection.close()

    @invariant()
    def remembered_path_is_the_servers(self):
        # Whatever the connection remembers must be what the server really has.
        applied = connection.tenantry_search_path.applied
        if applied is None or connection.connection is None:
            return
        with connection.connection.cursor() as raw:
            raw.execute("SELECT current_setting('search_path')")
            (server_path,) = raw.fetchone()

        def bare(path: str) -> str:
            return path.replace('"', "").replace(" ", "")

        assert bare(server_path) == bare(applied.split("=", 1)[1])

    def teardown(self):
        while self.atomics:
            self.atomics.pop().__exit__(RollbackRequestedError, RollbackRequestedError(), None)
        deactivate()


def test_every_statement_runs_in_the_active_tenants_schema(committed_tenants):
    # committed_tenants makes this a transactional test: the atomics are real transactions.
    SearchPathMachine.tenants = committed_tenants
    test_case = SearchPathMachine.TestCase
    test_case.settings = settings(
        max_examples=60,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    test_case().runTest()
