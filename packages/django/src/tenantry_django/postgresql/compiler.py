"""Django's PostgreSQL compilers, guarded: a query bound to a tenant runs only in that tenant.

Querysets and instances of tenant apps activate their own tenant before they run
(``tenantry_django._pinning``); this guard catches any path that did not, and raises
``CrossTenantError`` rather than run the query in the wrong schema.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from tenantry import get_current_tenant
from tenantry_django._pinning import ATTRIBUTE, check_query_runs_in_its_tenant

# (django-stubs has no module for the PostgreSQL compilers.)
stock: Any = import_module("django.db.backends.postgresql.compiler")

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]


class _RunsInItsTenant:
    query: Any

    def execute_sql(self, *args: Any, **kwargs: Any) -> Any:
        # Before every query: the common cases (unbound, or bound to the very tenant object
        # that is active) cost an attribute read and a comparison.
        bound = getattr(self.query, ATTRIBUTE, None)
        if bound is not None and bound is not get_current_tenant():
            check_query_runs_in_its_tenant(self.query)
        return super().execute_sql(*args, **kwargs)  # type: ignore[misc]


class SQLCompiler(_RunsInItsTenant, stock.SQLCompiler):
    pass


class SQLInsertCompiler(_RunsInItsTenant, stock.SQLInsertCompiler):
    pass


class SQLDeleteCompiler(_RunsInItsTenant, stock.SQLDeleteCompiler):
    pass


class SQLUpdateCompiler(_RunsInItsTenant, stock.SQLUpdateCompiler):
    pass


class SQLAggregateCompiler(_RunsInItsTenant, stock.SQLAggregateCompiler):
    pass
