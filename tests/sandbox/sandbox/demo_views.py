"""The demo's one page per tenant: who it is, and its own records."""

from __future__ import annotations

from html import escape

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from tenantry import SchemaDescriptor

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto">
<h1>{title}</h1>
<p>Tenant <code>{tenant}</code>, served from PostgreSQL schema <code>{schema}</code>
(this page is <code>{url}</code>).</p>
<h2>{kind}</h2>
<ul>{items}</ul>
</body></html>
"""


def home(request: HttpRequest) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    if isinstance(tenant, SchemaDescriptor):  # static tenants; dynamic ones are rows
        from sandbox.blog.models import Post

        kind, records = "Posts", Post.objects.values_list("title", flat=True)
    else:
        from sandbox.notes.models import Note

        kind, records = "Notes", Note.objects.values_list("title", flat=True)
    items = "".join(f"<li>{escape(title)}</li>" for title in records)
    title = getattr(tenant, "name", "") or tenant.schema_name
    return HttpResponse(
        PAGE.format(
            title=escape(title),
            tenant=escape(tenant.schema_name),
            schema=escape(schema),
            url=escape(reverse("home")),
            kind=kind,
            items=items,
        )
    )


urlpatterns = [path("", home, name="home")]
