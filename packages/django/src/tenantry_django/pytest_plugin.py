"""pytest fixtures for projects using tenantry (entry point ``pytest11``; needs pytest-django).

- ``tenant_factory(schema_name=None, domain=None, folder="", **fields)``: a new tenant,
  cloned from a template schema migrated once per session (again after a
  transactional test); gone with the test's transaction.
- ``tenant``: one ready tenant on ``tenant.test``; ``tenant_client``: a client calling it
  (a ``TenantClient``: its host passes ``ALLOWED_HOSTS`` for its requests, so a project
  need not list test domains there).

After a transactional test (``transactional_db``, ``live_server``) pytest-django empties the
tables with Django's flush; here that flush covers every schema (``flushing_every_schema``),
so tenants the test committed go with their schemas.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import Any

import pytest

# The fixtures; pytest finds them (and the teardown hook) through the ``pytest11`` entry point.
__all__ = ["tenant", "tenant_client", "tenant_factory", "tenantry_template"]


@pytest.fixture(scope="session")
def _tenantry_template_session(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    from tenantry_django.testing import drop_template_schema

    yield
    with django_db_blocker.unblock():
        drop_template_schema()


@pytest.fixture
def tenantry_template(_tenantry_template_session: None, django_db_blocker: Any) -> Any:
    """The template schema, migrated once and committed, before the test's transaction
    begins (a quick check when it is already there)."""
    from tenantry_django.testing import ensure_template_schema

    with django_db_blocker.unblock():
        return ensure_template_schema()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item) -> Generator[None, object, object]:
    """pytest-django's flush runs while the test's fixtures are torn down: within this hook.
    A flush of public refuses while tenant tables reference its tables; the tests' flush
    covers every schema instead (tenant schemas dropped with their rows, others emptied)."""
    from tenantry_django._flush import flushing_every_schema

    with flushing_every_schema():
        return (yield)


def _transactional(request: pytest.FixtureRequest) -> bool:
    """Whether pytest-django flushes after this test (its own rule)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    return any(
        name in request.fixturenames
        for name in ("transactional_db", "live_server", "django_db_reset_sequences")
    )


@pytest.fixture(autouse=True)
def _tenantry_template_out_of_flush(request: pytest.FixtureRequest) -> Iterator[None]:
    """The template schema is dropped before a transactional test's flush, which would
    otherwise empty it, losing the rows its migrations made; the next test that needs it
    migrates it again."""
    if not _transactional(request):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up first, so torn down after this
    yield
    from tenantry_django.testing import drop_template_schema

    drop_template_schema()


@pytest.fixture
def tenant_factory(tenantry_template: Any, db: None) -> Callable[..., Any]:
    from tenantry_django.routing import clear_caches
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
