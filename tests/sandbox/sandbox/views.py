"""Views of the sandbox project: each reports what the server and the URLconf really did."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

from asgiref.sync import sync_to_async
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse


def _current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return str(cursor.fetchone()[0])


def whoami(request: HttpRequest) -> JsonResponse:
    """The tenant the middleware chose, the schema the database used, a reversed URL."""
    tenant = request.tenant  # type: ignore[attr-defined]
    return JsonResponse(
        {
            "tenant": tenant.schema_name,
            "schema": _current_schema(),
            "url": reverse("whoami"),
            "folder": request.tenant_folder,  # type: ignore[attr-defined]
        }
    )


def notes(request: HttpRequest) -> JsonResponse:
    from sandbox.notes.models import Note

    return JsonResponse({"notes": list(Note.objects.values_list("title", flat=True))})


def go_home(request: HttpRequest) -> HttpResponse:
    return redirect("whoami")


def posts(request: HttpRequest) -> JsonResponse:
    from sandbox.blog.models import Post

    return JsonResponse({"posts": list(Post.objects.values_list("title", flat=True))})


def tenant_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return HttpResponse(
        f"not found in {request.tenant.schema_name}",  # type: ignore[attr-defined]
        status=404,
    )


def _note_lines() -> Iterator[str]:
    # Runs while the server sends the body, after the view (and the middleware) returned.
    from sandbox.notes.models import Note

    yield f"schema {_current_schema()}\n"
    for title in Note.objects.values_list("title", flat=True):
        yield f"note {title}\n"


def notes_streamed(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_note_lines(), content_type="text/plain")


async def _note_lines_async() -> AsyncIterator[str]:
    from sandbox.notes.models import Note

    yield f"schema {await sync_to_async(_current_schema)()}\n"
    async for title in Note.objects.values_list("title", flat=True):
        yield f"note {title}\n"


async def notes_streamed_async(request: HttpRequest) -> StreamingHttpResponse:
    return StreamingHttpResponse(_note_lines_async(), content_type="text/plain")
