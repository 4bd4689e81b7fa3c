"""pytest fixtures for projects using tenantry (entry point ``pytest11``; needs pytest-django).

- ``tenant_factory(schema_name=None, domain=None, folder="", **fields)``: a new tenant,
  cloned from a template schema migrated once per session; gone with the test's transaction.
- ``tenant``: one ready tenant on ``tenant.test``; ``tenant_client``: a client calling it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def tenantry_template(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    from tenantry_django.testing import drop_template_schema, ensure_template_schema

    with django_db_blocker.unblock():
        template = ensure_template_schema()
    yield template
    with django_db_blocker.unblock():
        drop_template_schema()


@pytest.fixture
def tenant_factory(db: None, tenantry_template: Any) -> Callable[..., Any]:
    from tenantry_django.resolvers import clear_caches
    from tenantry_django.testing import create_tenant

    clear_caches()  # rows of earlier, rolled-back tests must not linger in the host cache
    return create_tenant


@pytest.fixture
def tenant(tenant_factory: Callable[..., Any]) -> Any:
    return tenant_factory(domain="tenant.test")


@pytest.fixture
def tenant_client(tenant: Any) -> Any:
    from tenantry_django.testing import TenantClient

    return TenantClient(tenant)
