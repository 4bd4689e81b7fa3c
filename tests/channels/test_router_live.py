"""``TenantProtocolRouter`` served by uvicorn, spoken to by a real websocket client: tenants
on one path stay apart, groups stay inside their tenant, unknown hosts are refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from postgres_harness import http_get
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection

CONSUMERS = ["notes", "sync-notes"]  # async (database_sync_to_async) and sync consumers
QUIET_SECONDS = 0.5  # how long a socket that must hear nothing is listened to


def ask(websocket: ClientConnection, question: dict[str, Any]) -> dict[str, Any]:
    websocket.send(json.dumps(question))
    answer: dict[str, Any] = json.loads(websocket.recv(timeout=10))
    return answer


def assert_silent(websocket: ClientConnection) -> None:
    with pytest.raises(TimeoutError):
        websocket.recv(timeout=QUIET_SECONDS)


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_two_tenants_on_one_path_each_read_their_own_rows(asgi_server, committed_tenant, consumer):
    alpha = committed_tenant("alpha", ["Alpha plan", "Alpha budget"])
    beta = committed_tenant("beta", ["Beta roadmap"])
    path = f"/ws/{consumer}/lobby/"
    with (
        asgi_server.websocket(alpha.host, path) as to_alpha,
        asgi_server.websocket(beta.host, path) as to_beta,
    ):
        # Interleaved on purpose: one server process answers both in turn.
        for _ in range(3):
            from_alpha = ask(to_alpha, {"ask": "whoami"})
            from_beta = ask(to_beta, {"ask": "whoami"})
            assert from_alpha["tenant"] == from_alpha["active"] == alpha.schema_name
            assert from_alpha["schema"] == from_alpha["active_in_thread"] == alpha.schema_name
            assert from_alpha["notes"] == ["Alpha budget", "Alpha plan"]
            assert from_beta["tenant"] == from_beta["active"] == beta.schema_name
            assert from_beta["schema"] == from_beta["active_in_thread"] == beta.schema_name
            assert from_beta["notes"] == ["Beta roadmap"]
            assert from_alpha["folder"] is None


def test_group_broadcasts_stay_inside_their_tenant(asgi_server, committed_tenant):
    alpha = committed_tenant("alpha", [])
    beta = committed_tenant("beta", [])
    alpha_host, beta_host = alpha.host, beta.host
    with (
        asgi_server.websocket(alpha_host, "/ws/notes/lobby/") as alpha_async,
        asgi_server.websocket(alpha_host, "/ws/sync-notes/lobby/") as alpha_sync,
        asgi_server.websocket(beta_host, "/ws/notes/lobby/") as beta_async,
    ):
        # Same room, so the same group name before tenantry makes it per tenant.
        groups = [ask(ws, {"ask": "whoami"})["group"] for ws in (alpha_async, beta_async)]
        assert groups[0] != groups[1]

        alpha_async.send(json.dumps({"ask": "broadcast", "text": "for alpha"}))
        for websocket in (alpha_async, alpha_sync):  # async and sync consumers both hear it
            heard = json.loads(websocket.recv(timeout=10))
            assert heard == {"broadcast": "for alpha", "active": alpha.schema_name}
        assert_silent(beta_async)

        beta_async.send(json.dumps({"ask": "broadcast", "text": "for beta"}))
        heard = json.loads(beta_async.recv(timeout=10))
        assert heard == {"broadcast": "for beta", "active": beta.schema_name}
        assert_silent(alpha_async)
        assert_silent(alpha_sync)


def test_an_unknown_host_is_refused_as_an_ordinary_403_without_an_error_logged(
    asgi_server, transactional_db
):
    before = len(asgi_server.log())  # one server serves the whole module: this test's lines
    for _ in range(2):
        with (
            pytest.raises(InvalidStatus) as refused,
            asgi_server.websocket("nobody.localhost", "/ws/notes/lobby/"),
        ):
            pass  # pragma: no cover - the handshake fails
        assert refused.value.response.status_code == 403
    host = f"nobody.localhost:{asgi_server.port}"
    log = asgi_server.log()[before:]
    assert log.count(f"Websocket refused (/ws/notes/lobby/): No tenant is served at {host!r}") == 2
    assert "ERROR" not in log, log  # uvicorn logs a refused handshake as nothing unusual


def test_a_subfolder_tenants_websocket_paths_carry_its_folder(asgi_server, committed_tenant):
    folder = "gamma"
    gamma = committed_tenant("gamma", ["Gamma notes"], host="tenants.localhost", folder=folder)
    with asgi_server.websocket("tenants.localhost", f"/{folder}/ws/notes/lobby/") as websocket:
        answer = ask(websocket, {"ask": "whoami"})
    assert answer["tenant"] == answer["schema"] == gamma.schema_name
    assert answer["folder"] == folder
    assert answer["notes"] == ["Gamma notes"]


@pytest.mark.parametrize("consumer", CONSUMERS)
def test_the_static_tenant_without_ws_urlconf_uses_the_dynamic_route(
    asgi_server, www_schema, consumer
):
    with asgi_server.websocket("localhost", f"/ws/{consumer}/lobby/") as websocket:
        answer = ask(websocket, {"ask": "whoami"})
    assert answer["tenant"] == answer["active"] == answer["schema"] == "www"
    assert answer["notes"] is None  # www's own schema: the blog, no notes table


def test_a_static_tenant_in_a_folder_is_routed_under_it(asgi_server, www_schema):
    with asgi_server.websocket("tenants.localhost", "/www/ws/notes/lobby/") as websocket:
        answer = ask(websocket, {"ask": "whoami"})
    assert (answer["tenant"], answer["folder"], answer["schema"]) == ("www", "www", "www")


def test_http_through_the_router_serves_the_tenants_page(asgi_server, committed_tenant):
    alpha = committed_tenant("alpha", ["Alpha plan"])
    status, page = http_get(asgi_server.port, alpha.host, "/")
    assert status == 200
    assert json.loads(page) == {
        "tenant": alpha.schema_name,
        "schema": alpha.schema_name,
        "url": "/",
        "folder": None,
    }
    status, page = http_get(asgi_server.port, "nobody.localhost", "/")
    assert status == 404  # Django's TenantMiddleware, as without the router
