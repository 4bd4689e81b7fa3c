"""Test helpers: ready tenants in milliseconds, a client that speaks to a tenant's host.

New tenants are cloned from a template schema migrated once per test session (or per test
class), inside the test's transaction, so they disappear with it.

pytest (with pytest-django): the fixtures ``tenant``, ``tenant_factory`` and
``tenant_client`` come with this package (entry point ``pytest11``). unittest: subclass
:class:`TenantTestCase`, or :class:`TenantTransactionTestCase` where tests must commit.

Transactional tests end with Django's flush of public, which refuses while tenant tables
reference public's (``FlushRefusedError``). The pytest plugin and TenantTransactionTestCase
drop the template schema and flush within ``flushing_every_schema()``: the schemas of the
tenants the test created are dropped, other schemas are emptied along with public.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from django.apps import apps
from django.conf import settings
from django.http.request import validate_host
from django.test import Client, TestCase, TransactionTestCase, override_settings

from tenantry import SchemaDescriptor, activate, deactivate, tenant_context
from tenantry_django.conf import get_settings
from tenantry_django.migration import ensure_schema_migrated
from tenantry_django.models import TenantModel
from tenantry_django.schemas import drop_schema, flushing_every_schema

__all__ = [
    "TEMPLATE_SCHEMA",
    "TenantClient",
    "TenantTestCase",
    "TenantTransactionTestCase",
    "allowed_test_hosts",
    "create_tenant",
    "drop_template_schema",
    "ensure_template_schema",
]

TEMPLATE_SCHEMA = "tenantry_test_template"
_counter = itertools.count(1)


def template_schema() -> SchemaDescriptor:
    return SchemaDescriptor(TEMPLATE_SCHEMA, get_settings().tenants.public_database)


def ensure_template_schema() -> SchemaDescriptor:
    """Create the template schema if missing and bring it up to date (commits)."""
    template = template_schema()
    ensure_schema_migrated(template)
    return template


def drop_template_schema() -> None:
    template = template_schema()
    drop_schema(template.schema_name, template.database)


def tenant_model() -> type[TenantModel]:
    dynamic = get_settings().tenants.dynamic
    if dynamic is None:
        raise LookupError('TENANTS["default"]["TENANT_MODEL"] is not configured')
    return cast(type[TenantModel], apps.get_model(dynamic.tenant_model))


def create_tenant(
    schema_name: str | None = None,
    *,
    domain: str | None = None,
    folder: str = "",
    **fields: Any,
) -> Any:
    """Save a tenant (cloned from the template) and, if given, its primary domain."""
    name = schema_name or f"test_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    tenant = tenant_model()(schema_name=name, **fields)
    tenant.save(clone_from=template_schema())
    dynamic = get_settings().tenants.dynamic
    if domain and dynamic is not None and dynamic.domain_model:
        apps.get_model(dynamic.domain_model)._default_manager.create(
            tenant=tenant, domain=domain, folder=folder, is_primary=True
        )
    return tenant


def _effective_allowed_hosts() -> list[str]:
    """``ALLOWED_HOSTS`` as Django's ``request.get_host()`` applies it."""
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]  # Django's own default under DEBUG
    return allowed


@contextmanager
def allowed_test_hosts(*hosts: str) -> Iterator[None]:
    """``hosts`` pass Django's host validation within the body, as Django's test runner lets
    ``testserver`` pass: a test calls a tenant at its domain whatever the project's
    ``ALLOWED_HOSTS``. Nothing changes when they pass already."""
    allowed = _effective_allowed_hosts()
    missing = [host for host in hosts if not validate_host(host, allowed)]
    if not missing:
        yield
        return
    with override_settings(ALLOWED_HOSTS=[*allowed, *missing]):
        yield


class TenantClient(Client):
    """A test client whose requests carry ``tenant``'s primary domain as their host.

    That host is allowed for its requests (:func:`allowed_test_hosts`): the project's
    ``ALLOWED_HOSTS`` need not list test domains.
    """

    def __init__(self, tenant: Any, **defaults: Any) -> None:
        primary = tenant.domains.filter(is_primary=True).first()
        if primary is None:
            raise ValueError(f"Tenant {tenant.schema_name!r} has no primary domain to call.")
        self.tenant = tenant
        self.folder = primary.folder
        self.host: str = primary.domain
        super().__init__(headers={"host": self.host, **defaults.pop("headers", {})}, **defaults)

    def request(self, **request: Any) -> Any:
        with allowed_test_hosts(self.host):
            return super().request(**request)

    def url(self, path: str = "/") -> str:
        """``path`` under the tenant's subfolder, if it has one."""
        prefix = f"/{self.folder}" if self.folder else ""
        return prefix + "/" + path.lstrip("/")


class TenantTestCase(TestCase):
    """A TestCase with ``self.tenant`` (active during each test) and ``self.tenant_client``.

    The template schema and the tenant are created inside the class's transaction.
    """

    tenant_domain = "tenant.test"
    tenant: Any
    tenant_client: TenantClient

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        ensure_template_schema()
        cls.tenant = create_tenant(domain=cls.tenant_domain)

    def setUp(self) -> None:
        super().setUp()
        self.tenant_client = TenantClient(self.tenant)
        activate(self.tenant)
        self.addCleanup(deactivate)


class TenantTransactionTestCase(TransactionTestCase):
    """A TransactionTestCase with ``self.tenant`` (committed, active during each test) and
    ``self.tenant_client``, whose flush after each test covers every schema.

    Django's flush of public refuses while tenant tables reference public's (a note's
    author is a user). Here it runs within ``flushing_every_schema()``, after the template
    schema is dropped: the tenants' schemas go with their rows, other schemas are emptied.
    """

    tenant_domain = "tenant.test"
    tenant: Any
    tenant_client: TenantClient

    def setUp(self) -> None:
        super().setUp()
        ensure_template_schema()
        self.tenant = create_tenant(domain=self.tenant_domain)
        self.tenant_client = TenantClient(self.tenant)
        activate(self.tenant)
        self.addCleanup(deactivate)

    def _fixture_teardown(self) -> None:
        # Django's flush of every database of the test; a template left behind would be
        # emptied with the rest, losing the rows its migrations made, so it is rebuilt.
        with tenant_context(None), flushing_every_schema():
            drop_template_schema()
            super()._fixture_teardown()  # type: ignore[misc]  # private, missing in the stubs
