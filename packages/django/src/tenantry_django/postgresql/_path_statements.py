"""The statements that point a connection at a schema, each built once per schema.

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

The extras come from ``TENANTRY_EXTRA_SEARCH_PATHS``: the statements are kept with the
settings object (``conf.get_settings().derived``) and built again when a setting changes.
"""

from __future__ import annotations

from collections.abc import Callable

from tenantry import PUBLIC_SCHEMA, quote_identifier, quote_literal
from tenantry_django.conf import TenantrySettings, get_settings

__all__ = ["MAX_SCHEMAS", "PathStatements", "ScopeStatements", "path_statements"]


#: Statements kept per table. Far above a server's working set of schemas (10,000 tenants
#: in turn never make a table start over), so a long-lived process that has visited every
#: tenant of a large fleet still holds a bounded amount: about 200 bytes per statement.
MAX_SCHEMAS = 65_536


class _BuiltOnce(dict[str, str]):
    """Statements by schema name, each built the first time it is asked for (a dict lookup
    afterwards: the backend asks before every tenant switch). At most ``MAX_SCHEMAS`` are
    kept: a full table starts over, its statements rebuilt as they are asked for again."""

    def __init__(self, build: Callable[[str], str]) -> None:
        super().__init__()
        self._build = build

    def __missing__(self, schema: str) -> str:
        if len(self) >= MAX_SCHEMAS:
            self.clear()
        statement = self[schema] = self._build(schema)
        return statement


def _search_path(schema: str, extras: tuple[str, ...]) -> tuple[str, ...]:
    head = (PUBLIC_SCHEMA,) if schema == PUBLIC_SCHEMA else (schema, PUBLIC_SCHEMA)
    return head + tuple(name for name in extras if name not in head)


def _quoted_path(schema: str, extras: tuple[str, ...]) -> str:
    """``"tenant", "public", ...``: the path as ``SET`` takes it, every name quoted."""
    return ", ".join(quote_identifier(name) for name in _search_path(schema, extras))


# The builders below refer to no object holding them: no reference cycles, so statements
# (and a connection holding them) are freed without the garbage collector.


class ScopeStatements:
    """The statements of one scope (session or transaction), by schema name.

    ``set[schema]`` points at ``schema``'s path (no parameters, nothing to plan);
    ``checked[schema]`` does the same and fails with "schema ... does not exist" when it does
    not.
    """

    def __init__(self, extras: tuple[str, ...], *, local: bool) -> None:
        keyword = "SET LOCAL" if local else "SET"
        is_local = "true" if local else "false"
        self.set = _BuiltOnce(
            lambda schema: f"{keyword} search_path = {_quoted_path(schema, extras)}"
        )
        self.checked = _BuiltOnce(
            lambda schema: (
                f"SELECT {quote_literal(schema)}::regnamespace, pg_catalog.set_config("
                f"'search_path', {quote_literal(_quoted_path(schema, extras))}, {is_local})"
            )
        )


class PathStatements:
    """Every statement pointing a connection at a schema, for one list of extra schemas."""

    def __init__(self, extras: tuple[str, ...] = ()) -> None:
        self.extras = extras
        self.session = ScopeStatements(extras, local=False)
        self.transaction = ScopeStatements(extras, local=True)
        # Only the check, for a connection whose path is already right: no columns, no rows
        # (the cast is resolved while the statement is parsed), the cheapest statement that
        # fails when the schema is missing.
        self.check = _BuiltOnce(
            lambda schema: f"SELECT WHERE {quote_literal(schema)}::regnamespace IS NULL"
        )

    def search_path(self, schema: str) -> tuple[str, ...]:
        return _search_path(schema, self.extras)

    def quoted_path(self, schema: str) -> str:
        """``"tenant", "public", ...``: the path as ``SET`` takes it, every name quoted."""
        return _quoted_path(schema, self.extras)


_DERIVED_NAME = "tenantry_django.postgresql:path_statements"


def path_statements(settings: TenantrySettings | None = None) -> PathStatements:
    """The statements for ``settings`` (default: those in force), built again when a setting
    changes."""
    current = settings if settings is not None else get_settings()
    return current.derived(_DERIVED_NAME, lambda: PathStatements(current.extra_search_paths))
