"""The statements that point a connection at a schema, built once per schema and cached.

A tenant's path is ``tenant, public, extras``; with no tenant (or the public one) it is
``public, extras``. The tenant statement also casts the schema name to ``regnamespace``,
so a tenant whose schema does not exist fails loudly instead of silently resolving every
name in ``public`` (PostgreSQL skips missing schemas in a search path).
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
    """SQL that makes ``schema`` current on a connection; one round trip, no parameters."""
    path = sql.SQL(", ").join(sql.Identifier(name) for name in search_path(schema))
    if schema == PUBLIC_SCHEMA:
        return sql.SQL("SET search_path = {}").format(path).as_string(None)
    return (
        sql.SQL("SELECT {}::regnamespace, pg_catalog.set_config('search_path', {}, false)")
        .format(sql.Literal(schema), sql.Literal(path.as_string(None)))
        .as_string(None)
    )


def on_setting_changed(*, setting: str, **kwargs: Any) -> None:
    if setting == "TENANTRY_EXTRA_SEARCH_PATHS":
        set_search_path_statement.cache_clear()
