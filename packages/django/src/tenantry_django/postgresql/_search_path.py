"""What one connection's server session has as its search path, and what to send next.

The connection wrapper holds one :class:`SearchPathState` (``tenantry_search_path``). Before
every statement its cursors ask it for the statement to send (``statement_to_send()``, None
when the path is right), send that (in front of the query when they can) and tell it when
it went through (``mark_applied()``).

Session mode (the default): the state remembers the path statement last applied; only a
difference costs a statement. What was applied is forgotten (``forget()``) whenever the
server may have undone it or we cannot be sure: rollback, savepoint rollback, close,
(re)connect and any error.

A missing schema, and why a request costs no check statement. PostgreSQL skips a schema of
the path that does not exist, so a session whose tenant schema another process dropped
would resolve names in ``public`` (and the extra schemas) instead. tenantry never lets that
happen, without a statement per request:

- Whenever a path is *applied* for a schema not checked on this server session since the
  last rollback or connect, the same statement checks that the schema exists.
- A session's check of schema ``s`` then lasts across requests only if nothing a data
  statement of ``s``'s tenant names can be found outside ``s``: the tenant's apps are not
  also public apps (``TENANTS``). Their tables, sequences, functions and types exist only in
  tenant schemas, so once ``s`` is gone every data statement (SELECT, INSERT, UPDATE,
  DELETE, WITH, VALUES) that names one fails ("relation ... does not exist") instead of
  reaching ``public``: it fails closed. Such an error marks ``s`` unchecked, so the next
  statement checks it and raises ``TenantSchemaMissingError``.
- Anything else is checked again at every request boundary (``check_schemas_again()``, from
  ``close_if_unusable_or_obsolete``), in the round trip of the request's first statement,
  as before: schemas of tenants whose apps are public apps too (their tables exist in
  ``public`` as well: a fall-through would succeed), and every statement that is not a
  data statement (DDL would create its objects in ``public``).
- After any rollback and on every new connection every schema is checked again.

Transaction pooling (``pooled``): consecutive transactions may run on different server
sessions, so every transaction carries its own transaction-local path with its first
statement (checked as above), and nothing session-level is ever set.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.utils import ProgrammingError

from tenantry import PUBLIC_SCHEMA, get_current_tenant
from tenantry_django.conf import TenantrySettings, get_settings
from tenantry_django.errors import TenantSchemaMissingError
from tenantry_django.postgresql._path_statements import PathStatements, path_statements

__all__ = ["SearchPathState", "is_data_statement"]

_INVALID_SCHEMA_NAME = "3F000"
# What a data statement raises when a name it uses resolves nowhere: undefined table,
# function, object (a type).
_UNDEFINED_NAMES = frozenset({"42P01", "42883", "42704"})
_NO_STATEMENTS = PathStatements()  # until the first statement: for no settings object
_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction open (psycopg 3 and psycopg2 alike)
_DATA_HEADS = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH", "VALUES", "(")
_NOBODY = object()  # no tenant is known to need nothing sent


def is_data_statement(sql: Any) -> bool:
    """Whether ``sql`` only reads or writes rows: with its tenant's schema gone, every name
    of the tenant's it uses fails to resolve (DDL would create objects in ``public``)."""
    if not isinstance(sql, str):
        return False
    head = sql[:6].upper()  # (not sql.lstrip(): that copies the whole statement)
    if head.startswith(_DATA_HEADS):
        return True
    return head[:1].isspace() and sql.lstrip()[:6].upper().startswith(_DATA_HEADS)


def _transaction_idle(connection: Any) -> bool:
    """Whether the driver connection has no transaction open."""
    pgconn = getattr(connection, "pgconn", None)  # psycopg 3; psycopg2 has connection.info
    status = pgconn.transaction_status if pgconn is not None else connection.info.transaction_status
    return bool(status == _IDLE)


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def _shares_public_apps(settings: TenantrySettings, tenant: Any) -> bool:
    """Whether some app of ``tenant`` is a public app too: its tables exist in ``public``,
    where a statement would find them if ``tenant``'s schema were gone. Without a usable
    ``TENANTS`` (the backend alone), nothing says where apps live: assume so."""
    try:
        config = settings.tenants
    except ImproperlyConfigured:
        return True
    return not config.labels_for(tenant).isdisjoint(config.public_labels)


class SearchPathState:
    """The search path of one connection to database ``alias``: what the server has, which
    schemas were seen to exist, and the statement to send next."""

    __slots__ = (
        "_applied",
        "_lasting",
        "_pending",
        "_ready",
        "_ready_after_boundary",
        "_ready_for_any",
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
        self._verified: set[str] = set()  # schemas seen to exist since a request boundary
        # Schemas seen to exist since the last rollback or connect whose data statements
        # fail closed if they go (module docstring): no check at request boundaries.
        self._lasting: set[str] = set()
        # (schema, what applied becomes, whether the statement checks the schema)
        self._pending: tuple[str, str, bool] | None = None
        # The fast path: with this tenant object (None: public) active, nothing is to be sent
        # before any statement (_ready_for_any) or before data statements; reset whenever
        # what it was worked out from changes.
        self._ready: object = _NOBODY
        self._ready_for_any = False
        # What _ready_for_any becomes at a request boundary; None: _ready is reset there.
        self._ready_after_boundary: bool | None = None
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

    def statement_to_send(self, connection: Any, sql: Any = None) -> str | None:
        """The statement to send before ``sql``, or None when the path is right.

        ``connection`` is the driver connection: under transaction pooling, with no
        transaction open, the next statement starts one, whose path is still to be set.
        ``sql`` (None: unknown) decides whether a schema checked earlier on this session
        must be checked again (module docstring).
        """
        # Asked before every statement: in the steady state, with the same tenant object active
        # as last time, two identity checks (and a look at the statement's first word).
        tenant = get_current_tenant()
        if (
            tenant is self._ready
            and self._settings is get_settings()
            and (
                self._ready_for_any
                # is_data_statement()'s common case written out
                or (type(sql) is str and sql[:6].upper().startswith(_DATA_HEADS))
                or is_data_statement(sql)
            )
        ):
            return None
        return self._worked_out(tenant, connection, sql)

    def _worked_out(self, tenant: Any, connection: Any, sql: Any) -> str | None:
        self._ready = _NOBODY
        if tenant is None or tenant.database != self.alias:
            schema = PUBLIC_SCHEMA
        else:
            schema = tenant.schema_name
        settings = get_settings()
        if settings is not self._settings:
            self._settings, self._statements = settings, path_statements(settings)
            self._lasting.clear()  # which apps are public apps may have changed
        statements = self._statements
        if self.pooled:
            if _transaction_idle(connection):  # the next statement starts a transaction
                self.forget()
            scope = statements.transaction
        else:
            scope = statements.session
        statement = scope.set[schema]
        verified = (
            schema in self._verified
            or schema == PUBLIC_SCHEMA
            or (schema in self._lasting and is_data_statement(sql))
        )
        if statement == self._applied:
            if verified:
                if not self.pooled:
                    self._remember_ready(tenant, schema)
                return None
            self._pending = (schema, statement, True)
            return statements.check[schema]  # right path, existence not checked lately
        self._pending = (schema, statement, not verified)
        return statement if verified else scope.checked[schema]

    def _remember_ready(self, tenant: Any, schema: str) -> None:
        self._ready = tenant
        if schema == PUBLIC_SCHEMA:
            self._ready_for_any = self._ready_after_boundary = True
        else:
            self._ready_for_any = schema in self._verified
            # (not verified: it lasts, else nothing would have been sent as it is)
            self._ready_after_boundary = False if schema in self._lasting else None

    def mark_applied(self) -> None:
        """The statement from ``statement_to_send()`` went through."""
        assert self._pending is not None
        schema, self._applied, checked = self._pending
        self.visited.add(schema)  # tenantry recycling: counts the server session's schemas
        if checked:
            self._verified.add(schema)
            if schema not in self._lasting and not self._shares_public_apps():
                self._lasting.add(schema)

    def _shares_public_apps(self) -> bool:
        tenant = get_current_tenant()
        settings = self._settings
        return tenant is None or settings is None or _shares_public_apps(settings, tenant)

    # -- moments when the server's path may differ from what we remember ----------------

    def forget(self, *, checks: bool = False) -> None:
        """Send the path again before the next statement: the server may have another one
        (an error, a close, the end of a transaction that held a local path). With
        ``checks``, also check again that each schema exists: after a rollback (a schema
        created in the rolled-back transaction is gone) and on a new server session."""
        self._applied = None
        self._ready = _NOBODY
        if checks:
            self._verified.clear()
            self._lasting.clear()

    def check_schemas_again(self) -> None:
        """At a request boundary: the next statement checks, in its round trip, that the
        tenant's schema still exists, unless the statement fails closed without it (module
        docstring)."""
        self._verified.clear()
        after = self._ready_after_boundary
        if after is None:
            self._ready = _NOBODY
        else:
            self._ready_for_any = after

    def forget_schema(self, schema: str) -> None:
        """``schema`` was dropped: check it again before pointing at it."""
        self._verified.discard(schema)
        self._lasting.discard(schema)
        self.forget()

    def forget_after_error(self, error: BaseException, connection: Any) -> str | None:
        """A statement failed: send the path again. If a name it used resolved nowhere, the
        tenant's schema may be gone: it is checked with the next statement, and the check
        is returned to run now when it can (no transaction open on the driver
        ``connection``), so that this error can say so."""
        self.forget()
        if _sqlstate(error) not in _UNDEFINED_NAMES:
            return None
        schema = self.schema()
        if schema == PUBLIC_SCHEMA:
            return None
        self._verified.discard(schema)
        self._lasting.discard(schema)
        if connection is None or not _transaction_idle(connection):
            return None
        self._pending = (schema, self._statements.session.set[schema], True)
        return self._statements.check[schema]

    # -- a missing schema ----------------------------------------------------------------

    def missing_schema(self, error: BaseException) -> TenantSchemaMissingError | None:
        """The clear error to raise instead of ``error`` when it says the tenant's schema is
        missing (raised by the path statement's check, or by the statement itself)."""
        if not isinstance(error, ProgrammingError) or self._pending is None:
            return None
        schema = self._pending[0]
        sqlstate = _sqlstate(error)
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
