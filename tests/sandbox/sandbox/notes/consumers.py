"""Websocket consumers that report what the server really did: the tenant in the scope, the
tenant active while they run, the schema the database used and the notes it holds.

Both join a room's group, named per tenant; ``{"ask": "broadcast", "text": ...}`` sends to it.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer, JsonWebsocketConsumer
from django.db import connection

from tenantry import get_current_tenant
from tenantry_channels import tenant_group_name


def _database_report() -> dict[str, Any]:
    from sandbox.notes.models import Note

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    tenant = get_current_tenant()
    titles = None  # static tenants have no notes table
    if Note._meta.db_table in connection.introspection.table_names():
        titles = sorted(Note.objects.values_list("title", flat=True))
    return {"schema": schema, "notes": titles, "active_in_thread": _name(tenant)}


def _name(tenant: Any) -> str | None:
    return None if tenant is None else str(tenant.schema_name)


def _whoami(scope: dict[str, Any], group: str) -> dict[str, Any]:
    return {
        "tenant": _name(scope["tenant"]),
        "folder": scope["tenant_folder"],
        "active": _name(get_current_tenant()),
        "group": group,
        "path": scope["path"],
    }


class NotesConsumer(AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def connect(self) -> None:
        self.group = tenant_group_name(f"room.{self.scope['url_route']['kwargs']['room']}")
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content["ask"] == "whoami":
            report = _whoami(self.scope, self.group)
            report.update(await database_sync_to_async(_database_report)())
            await self.send_json(report)
        elif content["ask"] == "broadcast":
            await self.channel_layer.group_send(
                self.group, {"type": "room.message", "text": content["text"]}
            )

    async def room_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"broadcast": event["text"], "active": _name(get_current_tenant())})


class SyncNotesConsumer(JsonWebsocketConsumer):  # type: ignore[misc]
    def connect(self) -> None:
        self.group = tenant_group_name(f"room.{self.scope['url_route']['kwargs']['room']}")
        async_to_sync(self.channel_layer.group_add)(self.group, self.channel_name)
        self.accept()

    def disconnect(self, code: int) -> None:
        async_to_sync(self.channel_layer.group_discard)(self.group, self.channel_name)

    def receive_json(self, content: dict[str, Any], **kwargs: Any) -> None:
        if content["ask"] == "whoami":
            self.send_json({**_whoami(self.scope, self.group), **_database_report()})
        elif content["ask"] == "broadcast":
            async_to_sync(self.channel_layer.group_send)(
                self.group, {"type": "room.message", "text": content["text"]}
            )

    def room_message(self, event: dict[str, Any]) -> None:
        self.send_json({"broadcast": event["text"], "active": _name(get_current_tenant())})
