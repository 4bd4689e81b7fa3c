"""``TenantProtocolRouter`` with HTTP scopes: the tenant rides in the scope to Django's ASGI
handler, and Django's ``TenantMiddleware`` takes the router's answer instead of resolving again."""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.test import override_settings

from tenantry import get_current_tenant
from tenantry_channels import TenantProtocolRouter


def _name(tenant: Any) -> str | None:
    return None if tenant is None else str(tenant.schema_name)


def headers(host: str) -> list[tuple[bytes, bytes]]:
    return [(b"host", host.encode()), (b"origin", f"http://{host}".encode())]


def test_http_scopes_carry_the_tenant_to_the_http_application(db):
    # (db: the domain resolver may read the domain rows for this host, depending on what
    # earlier tests left remembered)
    seen: list[dict[str, Any]] = []

    async def http_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append({**scope, "active": _name(get_current_tenant())})

    original = {"type": "http", "path": "/www/posts/", "headers": headers("tenants.localhost")}
    router = TenantProtocolRouter(http=http_app)
    async_to_sync(router)(original, None, None)
    assert _name(seen[0]["tenant"]) == seen[0]["active"] == "www"
    assert seen[0]["tenant_folder"] == "www"
    assert "tenant" not in original  # the server's scope is left as it was


def test_http_for_an_unknown_host_goes_on_without_a_tenant(transactional_db):
    # Django's TenantMiddleware answers it (404 or TENANTRY_UNKNOWN_HOST_VIEW).
    seen: list[dict[str, Any]] = []

    async def http_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope)

    scope = {"type": "http", "path": "/", "headers": headers("nobody.localhost")}
    async_to_sync(TenantProtocolRouter(http=http_app))(scope, None, None)
    assert (seen[0]["tenant"], seen[0]["tenant_folder"]) == (None, None)


@override_settings(TENANTRY_RESOLVERS=["header", "domain"])  # nothing remembered: each run counts
def test_http_through_the_router_is_resolved_once(committed_tenant, monkeypatch):
    """The router's answer travels in the scope; Django's TenantMiddleware takes it."""
    from tenantry_django.routing._chain import Chain

    alpha = committed_tenant("alpha", [])
    runs: list[str] = []
    real_run = Chain.run

    def counting_run(chain: Chain, request: Any) -> Any:
        runs.append(request.host)
        return real_run(chain, request)

    monkeypatch.setattr(Chain, "run", counting_run)

    async def main() -> list[dict[str, Any]]:
        scope = {"type": "http", "method": "GET", "path": "/", "query_string": b"",
                 "headers": headers(alpha.host)}  # fmt: skip
        communicator = ApplicationCommunicator(TenantProtocolRouter(), scope)
        await communicator.send_input({"type": "http.request", "body": b""})
        messages = [await communicator.receive_output(10), await communicator.receive_output(10)]
        await communicator.send_input({"type": "http.disconnect"})
        await communicator.wait(10)  # Django closes the request body it spooled
        return messages

    start, body = async_to_sync(main)()
    assert start["status"] == 200
    page = json.loads(body["body"])
    assert (page["tenant"], page["schema"]) == (alpha.schema_name, alpha.schema_name)
    assert runs == [alpha.host]  # the router's run; the middleware ran none
