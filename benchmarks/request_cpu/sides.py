"""The two sides of the A/B in one process: the library's full stack, and plain Django.

Two Django projects cannot be configured in one process, so the process is configured as the
library's project and "plain Django" is the same process with everything the library puts
on a request's path taken off it again:

- the middleware: a second ``WSGIHandler`` built with ``MIDDLEWARE = []``;
- the database routers: ``django.db.router``'s router list emptied;
- the database backend: ``connections["default"]`` swapped for Django's stock PostgreSQL
  backend on the same database, its search path fixed to one tenant's schema (and public) by
  the connection's ``options`` (as a plain Django site with its tables in that schema would be);
- the library's receivers of Django's request signals (:func:`settle_receivers`);
- the library's patches of Django's own classes (tenantry wraps ``QuerySet``, ``Query``,
  ``Model`` ... methods at app loading, so that querysets stay in their tenant): the
  attributes of those classes are recorded before ``django.setup()`` and every one the
  library changed is switched back and forth with the side (:class:`Patches`).

:func:`library_frames` proves the plain side clean: it lists every Python function of the
library (and its plugin machinery) that a plain request calls, and the run stops unless there
is none. What stays shared is what costs a request nothing: installed apps, signal receivers
for writes, the settings.

:func:`build_side` builds a side with any of the library's parts (:class:`Parts`), so that
sides adding one part at a time show what each part costs (``--steps``).
"""

from __future__ import annotations

import copy
import sys
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

__all__ = [
    "FULL",
    "PLAIN",
    "Parts",
    "Patches",
    "Side",
    "build_side",
    "library_frames",
    "settle_receivers",
    "stock_connection",
]

_ABSENT = object()
#: Class state that changes by itself while apps load, no patch: Django's manager counter,
#: copyreg's cache (when a manager is copied).
_NOT_PATCHES = frozenset({"creation_counter", "__slotnames__"})


def _owners() -> list[Any]:
    """Django's classes (and modules) a library may patch on the request path."""
    from django.db.models import base, manager, query
    from django.db.models.fields import related_descriptors
    from django.db.models.sql import query as sql_query

    modules: list[ModuleType] = [base, manager, query, related_descriptors, sql_query]
    owners: list[Any] = list(modules)
    for module in modules:
        owners += [
            value
            for value in vars(module).values()
            if isinstance(value, type) and value.__module__ == module.__name__
        ]
    return owners


@dataclass
class Patches:
    """What a library changed in Django's classes while its apps loaded.

    Create it with :meth:`record` before ``django.setup()``; afterwards, while no side is
    switched on yet, :meth:`changed` lists (owner, attribute, Django's value, the library's
    value).
    """

    before: list[tuple[Any, dict[str, Any]]] = field(default_factory=list)

    @classmethod
    def record(cls) -> Patches:
        return cls([(owner, dict(vars(owner))) for owner in _owners()])

    def changed(self) -> list[tuple[Any, str, Any, Any]]:
        changes = []
        for owner, before in self.before:
            now = vars(owner)
            for name in sorted(before.keys() | now.keys()):
                old, new = before.get(name, _ABSENT), now.get(name, _ABSENT)
                if old is not new and name not in _NOT_PATCHES:
                    changes.append((owner, name, old, new))
        return changes


def _assign(owner: Any, name: str, value: Any) -> None:
    if value is not _ABSENT:
        setattr(owner, name, value)
    elif name in vars(owner):
        delattr(owner, name)


@dataclass(frozen=True)
class Parts:
    """Which of the library's parts a side runs with."""

    patches: bool = False  # its changes to Django's classes
    middleware: bool = False
    routers: bool = False
    backend: bool = False


PLAIN = Parts()
FULL = Parts(patches=True, middleware=True, routers=True, backend=True)


@dataclass
class Side:
    """One side: its WSGI handler, connection, routers and Django's class attributes."""

    name: str
    handler: Any
    connection: Any
    routers: list[Any]
    attributes: list[tuple[Any, str, Any]]
    expected: dict[str, str]  # host -> the body its page must have
    parts: Parts
    #: (signal, its receivers on this side): see :func:`settle_receivers`
    receivers: list[tuple[Any, list[Any]]] = field(default_factory=list)

    def activate(self) -> None:
        from django.db import connections, router

        connections["default"] = self.connection
        router.__dict__["routers"] = self.routers  # a cached_property: its cached value
        for owner, name, value in self.attributes:
            _assign(owner, name, value)
        for signal, receivers in self.receivers:
            signal.receivers = receivers
            signal.sender_receivers_cache.clear()

    def client(self) -> Callable[[str], None]:
        """A function serving one request for a host, in this process, checking the body."""
        from django.core.signals import got_request_exception
        from django.test import RequestFactory

        factory: Any = RequestFactory()  # its environ builder is not in the stubs
        base = factory._base_environ(PATH_INFO="/", REQUEST_METHOD="GET")
        environs = {h: {**base, "HTTP_HOST": h, "SERVER_NAME": h} for h in self.expected}
        application, expected = self.handler, self.expected
        failures: list[Any] = []

        def record(**kwargs: Any) -> None:
            failures.append(sys.exc_info())

        got_request_exception.connect(record, weak=False)

        def start_response(status: str, headers: Any) -> None:
            if not status.startswith("200"):
                error = "".join(traceback.format_exception(*failures[-1])) if failures else ""
                raise RuntimeError(f"{self.name}: status {status}\n{error}")

        def request(host: str) -> None:
            response = application(dict(environs[host]), start_response)
            body = b"".join(response).decode()
            response.close()
            if body != expected[host]:
                raise RuntimeError(f"{host} answered {body!r}, not {expected[host]!r}")

        return request


def stock_connection(schema: str) -> Any:
    """Django's own PostgreSQL backend on the configured database, its search path on
    ``schema`` and public (as a plain Django site with its tables there)."""
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper

    database = copy.deepcopy(connections["default"].settings_dict)
    database["ENGINE"] = "django.db.backends.postgresql"
    # public too: the library's middleware (``--steps``) finds domains there.
    path = f"-c search_path={schema},public"
    database["OPTIONS"] = {**database["OPTIONS"], "options": path}
    return DatabaseWrapper(database, "default")


def build_side(
    name: str,
    parts: Parts,
    patches: Patches,
    stock: Any,
    expected: dict[str, str],
) -> Side:
    """A side running the library's ``parts`` only; call it before any side is activated
    (it reads the connection and routers the process was configured with).

    Without the library's backend, the connection is ``stock`` (:func:`stock_connection`);
    ``expected`` is what each host's page must say on that side.
    """
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connections, router
    from django.test.utils import override_settings

    with override_settings(MIDDLEWARE=list(settings.MIDDLEWARE) if parts.middleware else []):
        handler = WSGIHandler()  # loads its middleware chain now
    changed = patches.changed()
    return Side(
        name=name,
        handler=handler,
        connection=connections["default"] if parts.backend else stock,
        routers=list(router.routers) if parts.routers else [],
        attributes=[
            (owner, attribute, new if parts.patches else old)
            for owner, attribute, old, new in changed
        ],
        expected=expected,
        parts=parts,
    )


def _belongs_to(receiver: Any, packages: list[str]) -> bool:
    function = receiver() if isinstance(receiver, weakref.ReferenceType) else receiver
    module = getattr(function, "__module__", None) or ""
    return any(module == package or module.startswith(f"{package}.") for package in packages)


def settle_receivers(sides: list[Side], packages: list[str]) -> None:
    """Give each side the receivers of Django's request signals it runs with; call it once
    every side is built (building loads middleware modules, which may connect receivers).

    A library's receivers of ``request_started``/``request_finished`` (django-pgschemas
    connects one that resets the schema after every request) go with its middleware.
    """
    from django.core.signals import request_finished, request_started

    for side in sides:
        side.receivers = [
            (
                signal,
                [
                    entry
                    for entry in signal.receivers
                    if side.parts.middleware or not _belongs_to(entry[1], packages)
                ],
            )
            for signal in (request_started, request_finished)
        ]


@contextmanager
def _calls() -> Iterator[set[str]]:
    """The source files of the Python functions called meanwhile (this thread)."""
    files: set[str] = set()

    def profiler(frame: FrameType, event: str, argument: Any) -> None:
        if event == "call":
            files.add(frame.f_code.co_filename)

    sys.setprofile(profiler)
    try:
        yield files
    finally:
        sys.setprofile(None)


def library_frames(packages: list[str], serve: Callable[[], None]) -> list[str]:
    """The library's source files (packages named) that ``serve()`` runs code of."""
    roots = []
    for package in packages:
        module = sys.modules.get(package)
        if module is not None and module.__file__ is not None:
            roots.append(Path(module.__file__).resolve().parent)
    with _calls() as files:
        serve()
    found = []
    for name in sorted(files):
        path = Path(name).resolve()
        if any(path.is_relative_to(root) for root in roots):
            found.append(str(path))
    return found
