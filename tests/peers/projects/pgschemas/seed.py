"""Tenants, domains and notes made through django-pgschemas' own API (run with its settings)."""

import django

django.setup()

from customers.models import Domain, Tenant  # noqa: E402
from django_pgschemas.schema import Schema  # noqa: E402
from notes.models import Note  # noqa: E402

with Schema.create("www"):
    Note.objects.create(title="w1")
for schema, domains, titles in [
    ("acme", [("acme.test", ""), ("acme-corp.test", "")], ["a1", "a2"]),
    ("globex", [("globex.test", ""), ("shared.test", "globex")], ["g1", "g2", "g3"]),
]:
    tenant = Tenant.objects.create(schema_name=schema, name=schema.title())
    for index, (domain, folder) in enumerate(domains):
        Domain.objects.create(tenant=tenant, domain=domain, folder=folder, is_primary=index == 0)
    with tenant:
        Note.objects.bulk_create(Note(title=title) for title in titles)
print("seeded")
