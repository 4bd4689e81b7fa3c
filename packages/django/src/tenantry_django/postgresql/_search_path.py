"""The statements that point a connection at a schema, built once per schema and cached.

A tenant's path is ``tenant, public, extras``; with no tenant (or the public one) it is
``public, extras``. PostgreSQL silently skips a schema of the path that does not exist, so
a checked statement also casts the tenant's name to ``regnamespace``: a tenant whose schema
is missing fails with "schema ... does not exist" instead of resolving every name in public.

Two scopes:

- *session*: ``SET search_path`` (or ``set_config(..., false)`` when checked), kept by the
  server session until changed; used when one Django connection owns one server session.
- *transaction*: ``SET LOCAL`` (or ``set_config(..., true)`` when checked), undone at the end
  of the transaction; used under transaction pooling, where consecutive transactions may run
  on different server sessions.
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings

from tenantry import PUBLIC_SCHEMA, quote_identifier, quote_literal


def extra_search_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "TENANTRY_EXTRA_SEARCH_PATHS", ()))


def search_path(schema: str) -> tuple[str, ...]:
    head = (PUBLIC_SCHEMA,) if schema == PUBLIC_SCHEMA else (schema, PUBLIC_SCHEMA)
    return head + tuple(name for name in extra_search_paths() if name not in head)


def _path(schema: str) -> str:
    """``"tenant", "public", ...``: the path as ``SET`` takes it, every name quoted."""
    return ", ".join(quote_identifier(name) for name in search_path(schema))


@functools.cache
def set_search_path_statement(schema: str) -> str:
    """``SET search_path`` to ``schema``'s path: no parameters, nothing to plan."""
    return f"SET search_path = {_path(schema)}"


@functools.cache
def checked_set_search_path_statement(schema: str) -> str:
    """The same, failing with "schema ... does not exist" when it does not."""
    return (
        f"SELECT {quote_literal(schema)}::regnamespace, "
        f"pg_catalog.set_config('search_path', {quote_literal(_path(schema))}, false)"
    )


@functools.cache
def local_search_path_statement(schema: str) -> str:
    """``SET LOCAL search_path``: the path for the current transaction only."""
    return f"SET LOCAL search_path = {_path(schema)}"


@functools.cache
def checked_local_search_path_statement(schema: str) -> str:
    """The same, failing with "schema ... does not exist" when it does not."""
    return (
        f"SELECT {quote_literal(schema)}::regnamespace, "
        f"pg_catalog.set_config('search_path', {quote_literal(_path(schema))}, true)"
    )


@functools.cache
def schema_check_statement(schema: str) -> str:
    """Only the check, for a connection whose path is already right: no columns, no rows
    (the cast is resolved while the statement is parsed), the cheapest statement that
    fails when the schema is missing."""
    return f"SELECT WHERE {quote_literal(schema)}::regnamespace IS NULL"


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "TENANTRY_EXTRA_SEARCH_PATHS":
        set_search_path_statement.cache_clear()
        checked_set_search_path_statement.cache_clear()
        local_search_path_statement.cache_clear()
        checked_local_search_path_statement.cache_clear()
