"""Fixtures of the backend's search-path suites."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from sandbox.notes.models import Note

from tenantry import tenant_context


@pytest.fixture
def tenants(make_tenant: Callable[..., Any]) -> tuple[Any, Any]:
    """Two tenants with three notes each, titled with the schema's name; the connection
    points at public afterwards, so the next statement in a tenant must change the path."""
    made = make_tenant("rt_first"), make_tenant("rt_second")
    for tenant in made:
        with tenant_context(tenant):
            Note.objects.bulk_create(Note(title=tenant.schema_name) for _ in range(3))
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")  # back in public
    # As on a new server session: each schema is checked again first.
    connection.tenantry_search_path.forget(checks=True)
    return made
