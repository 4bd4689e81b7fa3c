"""The current tenant: one ContextVar, the only source of truth.

A ContextVar follows threads (each starts empty), asyncio tasks (each copies its creator's
context) and asgiref's ``sync_to_async``/``async_to_sync`` (which carry the context across),
so no tenant ever leaks from one unit of work to another.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from contextvars import ContextVar, Token
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, cast, overload

from tenantry._plugins import activation_listeners, get_plugin_manager
from tenantry._tenant import Tenant
from tenantry._tenant import check_tenant as _check_tenant

__all__ = [
    "activate",
    "deactivate",
    "enter_tenant",
    "get_current_tenant",
    "leave_tenant",
    "tenant_context",
]

P = ParamSpec("P")
R = TypeVar("R")

_current_tenant: ContextVar[Tenant | None] = ContextVar("tenantry_current_tenant", default=None)

#: ``get_current_tenant()``: the tenant active in this context, or ``None``. (The ContextVar's
#: own ``get``: asked several times per query, it costs no Python call of its own.)
get_current_tenant: Callable[[], Tenant | None] = _current_tenant.get


def _previous(token: Token[Tenant | None]) -> Tenant | None:
    old = token.old_value
    return None if old is Token.MISSING else cast(Tenant | None, old)


def _notify(tenant: Tenant | None, previous: Tenant | None) -> None:
    """Tell the plugins listening to activations. Callers skip this while
    ``activation_listeners.quiet``: activation happens on every request and every ``with``,
    and pluggy's call machinery costs about a microsecond even with nobody listening."""
    manager = get_plugin_manager()
    if activation_listeners.known_quiet(manager):
        return
    hook = manager.hook
    if tenant is None:
        if hook.tenantry_tenant_deactivated.get_hookimpls():
            hook.tenantry_tenant_deactivated(previous=previous)
    elif hook.tenantry_tenant_activated.get_hookimpls():
        hook.tenantry_tenant_activated(tenant=tenant, previous=previous)


def activate(tenant: Tenant) -> None:
    """Make ``tenant`` current in this context until changed; prefer :class:`tenant_context`."""
    checked = _check_tenant(tenant)
    token = _current_tenant.set(checked)
    if not activation_listeners.quiet:
        _notify(checked, _previous(token))


def deactivate() -> None:
    """Leave this context with no current tenant."""
    token = _current_tenant.set(None)
    if not activation_listeners.quiet:
        _notify(None, _previous(token))


def enter_tenant(tenant: Tenant | None) -> Token[Tenant | None]:
    """Make ``tenant`` (a checked one, such as a :class:`Resolution`'s) current and return
    the token that :func:`leave_tenant` takes to restore what was current before.

    :class:`tenant_context` without its object: for code that activates a tenant on every
    request and pairs the two calls itself in ``try``/``finally``.
    """
    token = _current_tenant.set(tenant)
    if not activation_listeners.quiet:
        _notify(tenant, _previous(token))
    return token


def leave_tenant(token: Token[Tenant | None]) -> None:
    """Undo the :func:`enter_tenant` that returned ``token``."""
    if activation_listeners.quiet:
        _current_tenant.reset(token)
        return
    left = _current_tenant.get()
    _current_tenant.reset(token)
    _notify(_current_tenant.get(), left)


class tenant_context:  # noqa: N801 - used like a function: ``with tenant_context(t):``
    """Activate a tenant for a block; restore whatever was current before, even on error.

    Works as ``with``/``async with``, and as a decorator of plain and ``async def``
    functions; each decorated call gets its own activation, so one decorated function is safe
    to call from many threads and tasks at once. ``None`` runs the block with no tenant.
    """

    __slots__ = ("_outer", "_tenant", "_token")

    def __init__(self, tenant: Tenant | None) -> None:
        self._tenant = None if tenant is None else _check_tenant(tenant)
        # The token of the innermost entry; those of outer entries of this same object
        # (re-entered while active) wait in _outer, made only then.
        self._token: Token[Tenant | None] | None = None
        self._outer: list[Token[Tenant | None]] | None = None

    @property
    def tenant(self) -> Tenant | None:
        return self._tenant

    def __enter__(self) -> Tenant | None:
        tenant = self._tenant
        token = _current_tenant.set(tenant)
        if self._token is not None:
            if self._outer is None:
                self._outer = []
            self._outer.append(self._token)
        self._token = token
        if not activation_listeners.quiet:
            _notify(tenant, _previous(token))
        return tenant

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        token = self._token
        assert token is not None, "tenant_context exited more often than entered"
        self._token = self._outer.pop() if self._outer else None
        if activation_listeners.quiet:
            _current_tenant.reset(token)
            return
        left = _current_tenant.get()
        _current_tenant.reset(token)
        _notify(_current_tenant.get(), left)

    async def __aenter__(self) -> Tenant | None:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)

    @overload
    def __call__(self, function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]: ...
    @overload
    def __call__(self, function: Callable[P, R]) -> Callable[P, R]: ...
    def __call__(self, function: Callable[P, Any]) -> Callable[P, Any]:
        tenant = self._tenant
        if inspect.iscoroutinefunction(function):

            @functools.wraps(function)
            async def run_async(*args: P.args, **kwargs: P.kwargs) -> Any:
                with tenant_context(tenant):
                    return await function(*args, **kwargs)

            return run_async

        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> Any:
            with tenant_context(tenant):
                return function(*args, **kwargs)

        return run
