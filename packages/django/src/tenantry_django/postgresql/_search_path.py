"""The statements that point a connection at a schema, built once per schema and cached.

A tenant's path is ``tenant, public, extras``; with no tenant (or the public one) it is
``public, extras``. The first time a connection points at a schema, the statement also
casts its name to ``regnamespace``, so a tenant whose schema does not exist fails loudly
instead of silently resolving every name in ``public`` (PostgreSQL skips missing schemas in
a search path).
"""

from __future__ import annotations

import functools
from typing import Any

from django.conf import settings
from psycopg import sql

from tenantry import PUBLIC_SCHEMA


def extra_search_paths() -> tuple[str, ...]:
    return tuple(getattr(settings, "TENANTRY_EXTRA_SEARCH_PATHS", ()))


def search_path(schema: str) -> tuple[str, ...]:
    head = (PUBLIC_SCHEMA,) if schema == PUBLIC_SCHEMA else (schema, PUBLIC_SCHEMA)
    return head + tuple(name for name in extra_search_paths() if name not in head)


@functools.cache
def set_search_path_statement(schema: str) -> str:
    """``SET search_path`` to ``schema``'s path: no parameters, nothing to plan."""
    path = sql.SQL(", ").join(sql.Identifier(name) for name in search_path(schema))
    return sql.SQL("SET search_path = {}").format(path).as_string(None)


@functools.cache
def checked_set_search_path_statement(schema: str) -> str:
    """The same, failing with "schema ... does not exist" when it does not.

    Sent the first time a connection uses a schema; afterwards the plain SET suffices.
    """
    path = sql.SQL(", ").join(sql.Identifier(name) for name in search_path(schema))
    return (
        sql.SQL("SELECT {}::regnamespace, pg_catalog.set_config('search_path', {}, false)")
        .format(sql.Literal(schema), sql.Literal(path.as_string(None)))
        .as_string(None)
    )


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "TENANTRY_EXTRA_SEARCH_PATHS":
        set_search_path_statement.cache_clear()
        checked_set_search_path_statement.cache_clear()
