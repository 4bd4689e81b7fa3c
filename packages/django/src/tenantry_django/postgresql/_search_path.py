"""What one connection's server session has as its search path, and what to send next.

The connection wrapper holds one :class:`SearchPathState` (``tenantry_search_path``). Before
every statement its cursors ask it for the statement to send (``statement_to_send()``, None
when the path is right), send that (in front of the query when they can) and tell it when
it went through (``mark_applied()``).

Session mode (the default): the state remembers the path statement last applied; only a
difference costs a statement. What was applied is forgotten (``forget()``) whenever the
server may have undone it or we cannot be sure: rollback, savepoint rollback, close,
(re)connect and any error. Whether the tenant's schema exists is checked the first time a
connection points at it, and again at every request boundary (``check_schemas_again()``),
after any rollback and on every new connection.

Transaction pooling (``pooled``): consecutive transactions may run on different server
sessions, so every transaction carries its own transaction-local path with its first
statement (checked as above), and nothing session-level is ever set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.utils import ProgrammingError

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django.conf import TenantrySettings, get_settings
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._path_statements import PathStatements, path_statements

__all__ = ["SearchPathState"]

_INVALID_SCHEMA_NAME = "3F000"
_NO_STATEMENTS = PathStatements()  # until the first statement: for no settings object
_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction open (psycopg 3 and psycopg2 alike)


def _transaction_idle(connection: Any) -> bool:
    """Whether the driver connection has no transaction open."""
    pgconn = getattr(connection, "pgconn", None)  # psycopg 3; psycopg2 has connection.info
    status = pgconn.transaction_status if pgconn is not None else connection.info.transaction_status
    return bool(status == _IDLE)


class SearchPathState:
    """The search path of one connection to database ``alias``: what the server has, which
    schemas were seen to exist, and the statement to send next."""

    __slots__ = (
        "_applied",
        "_pending",
        "_settings",
        "_statements",
        "_verified",
        "alias",
        "pooled",
        "sent_prefix",
        "visited",
    )

    def __init__(self, alias: str) -> None:
        self.alias = alias
        self.pooled = False  # TENANTRY_TRANSACTION_POOLING for this alias, read on connecting
        # The path statement sent in front of the last batched query, kept out of query logs.
        self.sent_prefix: str | None = None
        # What the server has now (session mode), or has in this transaction (pooling).
        self._applied: str | None = None
        self._verified: set[str] = set()  # schemas seen to exist since a boundary
        self._pending: tuple[str, str] | None = None  # (schema, what applied becomes)
        self._settings: TenantrySettings | None = None  # what _statements were built for
        self._statements = _NO_STATEMENTS
        self.visited: set[str] = set()  # schemas this server session served (_recycling)

    @property
    def applied(self) -> str | None:
        """The path statement the server has, as far as we know; None when unknown."""
        return self._applied

    def schema(self) -> str:
        """The schema to use now: the active tenant's, if it lives in this database."""
        tenant = get_current_tenant()
        if tenant is None or tenant.database != self.alias:
            return PUBLIC_SCHEMA
        return tenant.schema_name

    def statement_to_send(self, connection: Any) -> str | None:
        """The statement to send before the next one, or None when the path is right.

        ``connection`` is the driver connection: under transaction pooling, with no
        transaction open, the next statement starts one, whose path is still to be set.
        """
        # Asked before every statement: self.schema() inline, and the statements of the
        # settings in force looked up only when those are another object than last time.
        tenant = get_current_tenant()
        if tenant is None or tenant.database != self.alias:
            schema = PUBLIC_SCHEMA
        else:
            schema = tenant.schema_name
        settings = get_settings()
        if settings is not self._settings:
            self._settings, self._statements = settings, path_statements(settings)
        statements = self._statements
        if self.pooled:
            if _transaction_idle(connection):  # the next statement starts a transaction
                self.forget()
            scope = statements.transaction
        else:
            scope = statements.session
        statement = scope.set[schema]
        verified = schema == PUBLIC_SCHEMA or schema in self._verified
        if statement == self._applied:
            if verified:
                return None
            self._pending = (schema, statement)
            return statements.check[schema]  # right path, existence not checked lately
        self._pending = (schema, statement)
        return statement if verified else scope.checked[schema]

    def mark_applied(self) -> None:
        """The statement from ``statement_to_send()`` went through."""
        assert self._pending is not None
        schema, self._applied = self._pending
        self.visited.add(schema)  # tenantry recycling: counts the server session's schemas
        self._verified.add(schema)

    # -- moments when the server's path may differ from what we remember ----------------

    def forget(self, *, checks: bool = False) -> None:
        """Send the path again before the next statement: the server may have another one
        (an error, a close, the end of a transaction that held a local path). With
        ``checks``, also check again that each schema exists: after a rollback (a schema
        created in the rolled-back transaction is gone) and on a new server session."""
        self._applied = None
        if checks:
            self.check_schemas_again()

    def check_schemas_again(self) -> None:
        """At a request boundary: the next statement checks, in its round trip, that the
        tenant's schema still exists (another process may have dropped it)."""
        self._verified.clear()

    def forget_schema(self, schema: str) -> None:
        """``schema`` was dropped: check it again before pointing at it."""
        self._verified.discard(schema)
        self.forget()

    # -- a missing schema ----------------------------------------------------------------

    def missing_schema(self, error: BaseException) -> TenantSchemaMissingError | None:
        """The clear error to raise instead of ``error`` when it says the tenant's schema is
        missing (raised by the path statement's check, or by the statement itself)."""
        if not isinstance(error, ProgrammingError) or self._pending is None:
            return None
        schema = self._pending[0]
        cause = error.__cause__
        sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
        # The message is in the server's language; the name appears in any of them.
        if sqlstate != _INVALID_SCHEMA_NAME or schema not in str(error):
            return None
        return TenantSchemaMissingError(
            f'The schema "{schema}" of tenant {get_current_tenant()!r} does not exist in '
            f'database {self.alias!r} (dropped, or never created): schema "{schema}" does '
            "not exist. Nothing ran; tenantry never falls back to public."
        )

    @contextmanager
    def reporting_missing_schema(self) -> Iterator[None]:
        """Around sending a path statement: a missing schema raises
        ``TenantSchemaMissingError`` (from the driver's error) instead."""
        try:
            yield
        except ProgrammingError as error:
            missing = self.missing_schema(error)
            if missing is None:
                raise
            raise missing from error
