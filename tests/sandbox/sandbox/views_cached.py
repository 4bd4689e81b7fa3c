"""Views cached with Django's own tools and no per-view tenant setup."""

from __future__ import annotations

import itertools

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import cache_page

from sandbox.views import _current_schema

# A new number on every render: a page showing an old number came from the cache.
_renders = itertools.count(1)


@cache_page(300)
def cached_notes(request: HttpRequest) -> HttpResponse:
    from sandbox.notes.models import Note

    titles = ", ".join(Note.objects.order_by("title").values_list("title", flat=True))
    return HttpResponse(f"schema={_current_schema()} notes=[{titles}] render={next(_renders)}")
