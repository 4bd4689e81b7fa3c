"""The skeleton: the least a schema-per-tenant library on Django's own hooks must run.

A request of the benchmark's view, served by a library built the way tenantry is (a
middleware that activates the host's tenant, a database router, querysets bound to the
tenant they were made in, a backend that checks the search path before every statement), can
cost no less than these four pieces, each the smallest form of its hook:

- :class:`SkeletonMiddleware`: one dict lookup of the host, ``request.tenant``, a ContextVar
  set and reset around the view (plus the frame Django wraps every middleware in);
- :class:`SkeletonRouter`: one router whose answer is the alias, for reads and writes;
- ``QuerySet.__init__`` wrapped to record the tenant current at creation (and nothing else:
  no queryset runs in its recorded tenant here, as tenantry's do);
- a backend whose cursor compares the current tenant with its session's path before each
  statement, and sets the path (a statement of its own) when they differ.

It guards nothing in earnest (an unknown host is a KeyError, a lazy queryset runs wherever it
is evaluated, no rollback or reconnect is noticed): it is a floor, measured in instructions
(:mod:`.instructions`) beside tenantry's, so that a per-request budget can be read against
what Django's hooks themselves cost.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

__all__ = ["SKELETON", "SkeletonMiddleware", "SkeletonRouter", "build_skeleton_side"]

#: The side's name in the counts.
SKELETON = "skeleton"

_current: ContextVar[str | None] = ContextVar("skeleton_tenant", default=None)
_get_current = _current.get


class SkeletonMiddleware:
    """Host -> schema (the benchmark's hosts are ``<schema>.bench``), active for the view."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        self.schemas: dict[str, str] = {}

    def __call__(self, request: Any) -> Any:
        host = request.META["HTTP_HOST"]
        schema = self.schemas.get(host)
        if schema is None:
            schema = self.schemas[host] = host.partition(".")[0]
        request.tenant = schema
        token = _current.set(schema)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class SkeletonRouter:
    """Every model on the one alias."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return "default"

    db_for_write = db_for_read


def _bound_init(original: Callable[..., None]) -> Callable[..., None]:
    def bound_init(
        self: Any, model: Any = None, query: Any = None, using: Any = None, hints: Any = None
    ) -> None:
        original(self, model, query, using, hints)
        self._skeleton_tenant = _get_current()

    return bound_init


def _connection(stock: Any) -> Any:
    """``stock``'s database through a backend that checks the path before each statement."""
    from django.db.backends.postgresql.base import DatabaseWrapper
    from django.db.backends.utils import CursorWrapper

    class SkeletonCursor(CursorWrapper):
        def _execute(self, sql: Any, params: Any, *ignored: Any) -> Any:
            schema = _get_current()
            if schema is not self.db.skeleton_path and schema is not None:
                quoted = self.db.ops.quote_name(schema)
                self.cursor.execute(f"SET search_path = {quoted}, public")
                self.db.skeleton_path = schema
            return super()._execute(sql, params, *ignored)

    class SkeletonWrapper(DatabaseWrapper):
        skeleton_path: str | None = None

        def make_cursor(self, cursor: Any) -> Any:
            return SkeletonCursor(cursor, self)

        def get_new_connection(self, conn_params: Any) -> Any:
            self.skeleton_path = None  # a new session: its path is the configured one
            return super().get_new_connection(conn_params)

    return SkeletonWrapper(copy.deepcopy(stock.settings_dict), "default")


def build_skeleton_side(patches: Any, stock: Any, expected: dict[str, str]) -> Any:
    """The skeleton as a side of the A/B (:class:`.sides.Side`): the library's own parts all
    off (Django's classes as Django ships them), the skeleton's on."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.db.models.query import QuerySet
    from django.test.utils import override_settings

    from benchmarks.request_cpu.sides import PLAIN, Side

    with override_settings(MIDDLEWARE=[f"{__name__}.SkeletonMiddleware"]):
        handler = WSGIHandler()
    django_state = [(owner, name, old) for owner, name, old, _ in patches.changed()]
    original = next(
        (old for owner, name, old in django_state if owner is QuerySet and name == "__init__"),
        vars(QuerySet)["__init__"],
    )
    return Side(
        name=SKELETON,
        handler=handler,
        connection=_connection(stock),
        routers=[SkeletonRouter()],
        attributes=[*django_state, (QuerySet, "__init__", _bound_init(original))],
        expected=expected,
        parts=PLAIN,  # the library's receivers of request signals off, as on the plain side
    )
