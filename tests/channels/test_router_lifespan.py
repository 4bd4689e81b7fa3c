"""``TenantProtocolRouter``'s lifespan protocol, and the scope types it refuses."""

from __future__ import annotations

from typing import Any

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator

from tenantry_channels import TenantProtocolRouter


def test_lifespan_startup_and_shutdown_are_answered():
    async def main() -> list[dict[str, Any]]:
        communicator = ApplicationCommunicator(TenantProtocolRouter(), {"type": "lifespan"})
        await communicator.send_input({"type": "lifespan.startup"})
        started = await communicator.receive_output(timeout=5)
        await communicator.send_input({"type": "lifespan.shutdown"})
        stopped = await communicator.receive_output(timeout=5)
        await communicator.wait(timeout=5)
        return [started, stopped]

    assert async_to_sync(main)() == [
        {"type": "lifespan.startup.complete"},
        {"type": "lifespan.shutdown.complete"},
    ]


def test_a_failing_setup_fails_the_lifespan_startup(monkeypatch):
    def broken() -> Any:
        raise RuntimeError("settings are broken")

    monkeypatch.setattr("django.core.asgi.get_asgi_application", broken)

    async def main() -> dict[str, Any]:
        communicator = ApplicationCommunicator(TenantProtocolRouter(), {"type": "lifespan"})
        await communicator.send_input({"type": "lifespan.startup"})
        message: dict[str, Any] = await communicator.receive_output(timeout=5)
        await communicator.wait(timeout=5)
        return message

    assert async_to_sync(main)() == {
        "type": "lifespan.startup.failed",
        "message": "settings are broken",
    }


def test_other_scope_types_are_a_clear_error():
    with pytest.raises(ValueError, match="not 'channel'"):
        async_to_sync(TenantProtocolRouter())({"type": "channel"}, None, None)
