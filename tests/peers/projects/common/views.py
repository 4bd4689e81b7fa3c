"""The pages the tests request: what each tenant shows, the same under a peer and tenantry."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from notes.models import Note


def notes(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        (schema,) = cursor.fetchone()
    titles = sorted(Note.objects.values_list("title", flat=True))
    return JsonResponse({"schema": schema, "notes": titles})


def home(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"page": "home"})
