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


def _guarded(stock_compiler: Any) -> Any:
    """``stock_compiler`` whose ``execute_sql`` first refuses to run a bound query under
    another tenant (the stock method called directly: this runs for every query)."""
    stock_execute_sql = stock_compiler.execute_sql

    def execute_sql(self: Any, *args: Any, **kwargs: Any) -> Any:
        # The common cases (unbound, or bound to the very tenant object that is active) cost
        # an attribute read and a comparison.
        bound = getattr(self.query, ATTRIBUTE, None)
        if bound is not None and bound is not get_current_tenant():
            check_query_runs_in_its_tenant(self.query)
        return stock_execute_sql(self, *args, **kwargs)

    return type(stock_compiler.__name__, (stock_compiler,), {"execute_sql": execute_sql})


SQLCompiler = _guarded(stock.SQLCompiler)
SQLInsertCompiler = _guarded(stock.SQLInsertCompiler)
SQLDeleteCompiler = _guarded(stock.SQLDeleteCompiler)
SQLUpdateCompiler = _guarded(stock.SQLUpdateCompiler)
SQLAggregateCompiler = _guarded(stock.SQLAggregateCompiler)
