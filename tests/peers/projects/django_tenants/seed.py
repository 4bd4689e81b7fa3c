"""Tenants, domains and notes made through django-tenants' own API (run with its settings)."""

import django

django.setup()

from customers.models import Client, Domain  # noqa: E402
from django_tenants.utils import schema_context  # noqa: E402
from notes.models import Note  # noqa: E402

public = Client.objects.create(schema_name="public", name="Public")
Domain.objects.create(tenant=public, domain="main.test", is_primary=True)
for schema, domains, titles in [
    ("acme", ["acme.test", "acme-corp.test"], ["a1", "a2"]),
    ("globex", ["globex.test"], ["g1", "g2", "g3"]),
]:
    tenant = Client.objects.create(schema_name=schema, name=schema.title())
    for index, domain in enumerate(domains):
        Domain.objects.create(tenant=tenant, domain=domain, is_primary=index == 0)
    with schema_context(schema):
        Note.objects.bulk_create(Note(title=title) for title in titles)
print("seeded")
