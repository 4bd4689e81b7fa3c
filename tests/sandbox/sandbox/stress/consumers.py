"""Websocket consumers of the stress WS_URLCONF: every message is one probe, answered with
the tenant in the scope, the tenant active in the handler and what the database read.

A message is ``{"atomic": bool, "sabotage": schema or null}`` (see :mod:`.views`).
"""

from __future__ import annotations

from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer

from sandbox.stress.probe import Observation, probe, report


def _probe(content: dict[str, Any]) -> Observation:
    return probe(content.get("sabotage") or None, bool(content.get("atomic")))


class ProbeConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        observation = await database_sync_to_async(_probe)(content)
        await self.send_json(report(self.scope["tenant"], observation))


class SyncProbeConsumer(JsonWebsocketConsumer):  # type: ignore[misc]
    def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        self.send_json(report(self.scope["tenant"], _probe(content)))
