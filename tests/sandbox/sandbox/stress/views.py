"""HTTP endpoints of the stress URLconf: each answers with what the server really did.

``?atomic=1`` reads inside a transaction; ``?sabotage=<schema>`` misdirects the connection
between the two reads (the engine's self-test). The streaming views read while the response
is iterated, after the view (and the middleware's ``tenant_context``) returned.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.http import HttpRequest, JsonResponse, StreamingHttpResponse

from sandbox.stress.probe import probe, report


def _arguments(request: HttpRequest) -> tuple[str | None, bool]:
    return request.GET.get("sabotage") or None, request.GET.get("atomic") == "1"


def probe_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(report(request.tenant, probe(*_arguments(request))))  # type: ignore[attr-defined]


async def async_probe_view(request: HttpRequest) -> JsonResponse:
    observation = await sync_to_async(probe)(*_arguments(request))
    return JsonResponse(report(request.tenant, observation))  # type: ignore[attr-defined]


def streaming_view(request: HttpRequest) -> StreamingHttpResponse:
    tenant, arguments = request.tenant, _arguments(request)  # type: ignore[attr-defined]

    def content() -> Iterator[bytes]:
        yield json.dumps(report(tenant, probe(*arguments))).encode()

    return StreamingHttpResponse(content(), content_type="application/json")


async def async_streaming_view(request: HttpRequest) -> StreamingHttpResponse:
    tenant, arguments = request.tenant, _arguments(request)  # type: ignore[attr-defined]

    async def content() -> AsyncIterator[bytes]:
        observation = await sync_to_async(probe)(*arguments)
        yield json.dumps(report(tenant, observation)).encode()

    return StreamingHttpResponse(content(), content_type="application/json")
