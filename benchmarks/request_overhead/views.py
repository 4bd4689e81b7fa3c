"""The one-query view every project serves."""

from django.http import HttpRequest, HttpResponse
from sandbox.notes.models import Note


def first_notes(request: HttpRequest) -> HttpResponse:
    titles = list(Note.objects.values_list("title", flat=True)[:5])
    return HttpResponse(", ".join(titles))
