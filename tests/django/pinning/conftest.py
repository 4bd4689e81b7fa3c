"""Fixtures of the pinning suites.

Each test makes something in tenant A and uses it while tenant B (or none) is active; before
pinning, every one of them read or wrote B's rows, or failed for want of a tenant.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox.notes.models import Note, Tag

from tenantry import tenant_context


@pytest.fixture
def two(make_tenant: Callable[..., Any]) -> tuple[Any, Any]:
    """Tenants A and B, each with notes titled after it and one tag of the same name."""
    a, b = make_tenant(domain="a.pinning.test"), make_tenant(domain="b.pinning.test")
    for tenant in (a, b):
        with tenant_context(tenant):
            Note.objects.create(title=f"{tenant.schema_name}-1")
            Note.objects.create(title=f"{tenant.schema_name}-2")
            Tag.objects.create(name=tenant.schema_name)
    return a, b


def _titles_in(tenant: Any) -> list[str]:
    with tenant_context(tenant):
        return sorted(Note.objects.values_list("title", flat=True))


@pytest.fixture
def titles_in() -> Callable[[Any], list[str]]:
    """The titles of a tenant's notes, sorted, read in that tenant."""
    return _titles_in
