"""``TenantProtocolRouter`` with websocket scopes, called in-process: which routes a handshake
reaches, what its scope carries, and when it is refused (never routed to public)."""

from __future__ import annotations

import asyncio
import copy
import json
import sys
import types
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import override_settings
from django.urls import path

from tenantry import get_current_tenant
from tenantry_channels import CLOSE_CODE_NOT_FOUND, TenantProtocolRouter

ROUTES = "tenantry_channels_test_routes"  # a WS_URLCONF that exists for these tests only


def _name(tenant: Any) -> str | None:
    return None if tenant is None else str(tenant.schema_name)


async def echo(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Accepts, then reports what the router gave it; closes when the client does."""
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    report = {
        "tenant": _name(scope["tenant"]),
        "folder": scope["tenant_folder"],
        "active": _name(get_current_tenant()),
        "room": scope["url_route"]["kwargs"]["room"],
    }
    await send({"type": "websocket.send", "text": json.dumps(report)})
    while (await receive())["type"] != "websocket.disconnect":
        pass


def tenants_setting(**default: Any) -> dict[str, Any]:
    tenants = copy.deepcopy(settings.TENANTS)
    tenants["default"].update(default)
    return {key: value for key, value in tenants.items() if value is not None}


@pytest.fixture
def routes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    module = types.ModuleType(ROUTES)
    module.urlpatterns = [path("ws/<str:room>/", echo)]  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, ROUTES, module)
    with override_settings(TENANTS=tenants_setting(WS_URLCONF=ROUTES)):
        yield


def headers(host: str) -> list[tuple[bytes, bytes]]:
    return [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]


def websocket(
    application: Any, host: str, path: str, *more: tuple[bytes, bytes], **scope: Any
) -> ApplicationCommunicator:
    """A websocket handshake in-process (``channels.testing`` needs daphne; this does not)."""
    scope = {"type": "websocket", "path": path, "headers": [*headers(host), *more], **scope}
    return ApplicationCommunicator(application, scope)


async def connect(
    application: Any, host: str, path: str, *more: tuple[bytes, bytes]
) -> dict[str, Any]:
    communicator = websocket(application, host, path, *more)
    await communicator.send_input({"type": "websocket.connect"})
    assert (await communicator.receive_output(timeout=5))["type"] == "websocket.accept"
    report: dict[str, Any] = json.loads((await communicator.receive_output(timeout=5))["text"])
    await communicator.send_input({"type": "websocket.disconnect", "code": 1000})
    await communicator.wait(timeout=5)
    return report


async def refusal(application: Any, host: str, **scope: Any) -> list[dict[str, Any]]:
    """What the router answers a handshake with, once it has returned."""
    communicator = websocket(application, host, "/ws/lobby/", **scope)
    await communicator.send_input({"type": "websocket.connect"})
    await communicator.wait(timeout=5)  # the router has returned: nothing else runs
    messages = []
    while not communicator.output_queue.empty():
        messages.append(communicator.output_queue.get_nowait())
    return messages


def close_code(messages: list[dict[str, Any]]) -> int:
    assert [message["type"] for message in messages] == ["websocket.close"]
    return int(messages[0]["code"])


def test_a_static_tenant_by_host_gets_the_dynamic_route_with_its_tenant_active(routes):
    report = async_to_sync(connect)(TenantProtocolRouter(), "localhost:8000", "/ws/lobby/")
    assert report == {"tenant": "www", "folder": None, "active": "www", "room": "lobby"}


def test_a_folder_is_part_of_the_path_and_of_the_scope(routes):
    router = TenantProtocolRouter()
    report = async_to_sync(connect)(router, "tenants.localhost", "/www/ws/lobby/")
    assert report == {"tenant": "www", "folder": "www", "active": "www", "room": "lobby"}


@override_settings(TENANTRY_RESOLVERS=["header", "domain"])
def test_the_resolver_chain_is_the_middlewares_header_resolver(routes):
    header = (b"x-tenant", b"main-site")  # www's HEADER
    router = TenantProtocolRouter()
    report = async_to_sync(connect)(router, "api.example.com", "/ws/lobby/", header)
    assert (report["tenant"], report["active"]) == ("www", "www")


@override_settings(
    TENANTRY_RESOLVERS=["session"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
)
def test_the_resolver_chain_is_the_middlewares_session_resolver(routes):
    session = SessionStore()
    session["tenant"] = "main-site"  # www's SESSION_KEY
    session.save()
    cookie = (b"cookie", f"sessionid={session.session_key}".encode())
    router = TenantProtocolRouter()
    report = async_to_sync(connect)(router, "api.example.com", "/ws/lobby/", cookie)
    assert (report["tenant"], report["active"]) == ("www", "www")


def test_concurrent_connections_each_run_as_their_own_tenant(routes):
    router = TenantProtocolRouter()
    sites = [  # host, path, tenant, folder; archive lives in another database
        ("localhost", "/ws/r{}/", "www", None),
        ("tenants.localhost", "/www/ws/r{}/", "www", "www"),
        ("archive.localhost", "/ws/r{}/", "archive", None),
    ]

    async def main() -> list[dict[str, Any]]:
        return await asyncio.gather(
            *(
                connect(router, host, path.format(index))
                for index in range(30)
                for host, path, _, _ in sites
            )
        )

    reports = async_to_sync(main)()
    expected = [
        {"tenant": tenant, "folder": folder, "active": tenant, "room": f"r{index}"}
        for index in range(30)
        for _, _, tenant, folder in sites
    ]
    assert reports == expected


def test_websocket_middleware_wraps_each_route_once_and_runs_as_the_tenant(routes):
    seen: list[tuple[str | None, str | None]] = []
    built: list[Any] = []

    def middleware(application: Any) -> Any:
        built.append(application)

        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            seen.append((_name(scope["tenant"]), _name(get_current_tenant())))
            await application(scope, receive, send)

        return wrapped

    router = TenantProtocolRouter(websocket_middleware=middleware)
    for _ in range(3):
        async_to_sync(connect)(router, "localhost", "/ws/lobby/")
        async_to_sync(connect)(router, "tenants.localhost", "/www/ws/lobby/")
    assert seen == [("www", "www")] * 6
    assert len(built) == 2  # one router per (WS_URLCONF, folder), reused afterwards


def test_a_tenant_without_websocket_routes_is_refused():
    with override_settings(TENANTS=tenants_setting(WS_URLCONF=None)):
        messages = async_to_sync(refusal)(TenantProtocolRouter(), "localhost")
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND
    assert messages[0]["reason"] == "Tenant 'www' serves no websockets (no WS_URLCONF)."


def test_an_unknown_host_is_refused_never_served_as_public(routes, transactional_db):
    messages = async_to_sync(refusal)(TenantProtocolRouter(), "nobody.localhost")
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND
    assert messages[0]["reason"] == "No tenant is served at 'nobody.localhost'."


@override_settings(ALLOWED_HOSTS=["localhost"])
def test_a_host_django_disallows_is_refused_without_resolving(routes):
    # No database access allowed in this test: resolving would fail it.
    messages = async_to_sync(refusal)(TenantProtocolRouter(), "evil.example")
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND


def test_the_refusal_is_a_close_even_where_the_server_could_send_a_response(
    routes, transactional_db
):
    # A 404 through websocket.http.response makes uvicorn log an ERROR per refusal.
    extensions = {"websocket.http.response": {}}
    router = TenantProtocolRouter()
    messages = async_to_sync(refusal)(router, "nobody.localhost", extensions=extensions)
    assert [message["type"] for message in messages] == ["websocket.close"]
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND


def test_the_close_reason_fits_a_close_frame(routes, transactional_db):
    messages = async_to_sync(refusal)(TenantProtocolRouter(), "x" * 200 + ".localhost")
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND
    assert messages[0]["reason"].startswith("No tenant is served at 'xxx")
    assert len(messages[0]["reason"].encode()) <= 123


def test_an_idn_domain_is_reached_at_every_spelling_of_its_ascii_host(routes, committed_tenant):
    """Clients send the ASCII (IDNA) form of a host; the row stored from its Unicode form
    is found under it, in any case, with a port or a trailing dot."""
    from sandbox.customers.models import Domain

    books = committed_tenant("books", [], host=f"bücher-{uuid.uuid4().hex[:8]}.localhost")
    stored = Domain.objects.get(tenant=books).domain
    assert stored.startswith("xn--")
    router = TenantProtocolRouter()
    for host in (stored, f"{stored.upper()}.:8000", f"www.{stored}"):
        report = async_to_sync(connect)(router, host, "/ws/lobby/")
        assert report["tenant"] == books.schema_name, host


def test_a_raw_unicode_host_header_is_refused_as_django_refuses_it(routes, committed_tenant):
    # Django's get_host() answers such a Host header with a 400 over HTTP: never a tenant.
    books = committed_tenant("books", [], host=f"bücher-{uuid.uuid4().hex[:8]}.localhost")
    messages = async_to_sync(refusal)(TenantProtocolRouter(), books.host)
    assert close_code(messages) == CLOSE_CODE_NOT_FOUND


@override_settings(TENANTRY_RESOLVERS=["header"])
@pytest.mark.parametrize("value", [b"www\x00", b"\x00", b"a" * 500, b'x"; --', b"\xff\xfe"])
def test_a_header_that_cannot_be_a_schema_name_is_refused_not_an_error(
    routes, transactional_db, value
):
    async def handshake() -> list[dict[str, Any]]:
        communicator = websocket(
            TenantProtocolRouter(), "api.localhost", "/ws/lobby/", (b"x-tenant", value)
        )
        await communicator.send_input({"type": "websocket.connect"})
        await communicator.wait(timeout=5)  # a database error would be raised here
        return [communicator.output_queue.get_nowait()]

    assert close_code(async_to_sync(handshake)()) == CLOSE_CODE_NOT_FOUND
