"""The stress run's tenants: many, made fast (cloned from tenantry's test template schema),
each with two marker rows naming it; three of four on a host of their own, the rest in
subfolders of one shared host."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import connections

from sandbox.stress.probe import MARKER, SECOND_MARKER
from tenantry import tenant_context

SHARED_HOST_EVERY = 4  # every fourth tenant lives in a folder of the shared host
THREADS = 4  # creating and dropping: cloning is mostly the server's work


@dataclass(frozen=True)
class Site:
    tenant: Any  # the tenant model's row
    host: str
    folder: str  # "" on a host of its own

    @property
    def schema(self) -> str:
        return str(self.tenant.schema_name)

    def path(self, tail: str) -> str:
        """``tail`` (no leading slash) under the tenant's folder, if it has one."""
        return f"/{self.folder}/{tail}" if self.folder else f"/{tail}"


def _site(index: int, run: str) -> Site:
    from sandbox.notes.models import Note
    from tenantry_django.testing import create_tenant

    schema = f"stress_{run}_{index:03d}"
    if index % SHARED_HOST_EVERY == SHARED_HOST_EVERY - 1:
        host, folder = f"shared-{run}.stress.test", f"f{index:03d}"
    else:
        host, folder = f"t{index:03d}-{run}.stress.test", ""
    tenant = create_tenant(schema, domain=host, folder=folder)
    with tenant_context(tenant):
        Note.objects.bulk_create(Note(title=schema, body=body) for body in (MARKER, SECOND_MARKER))
    return Site(tenant, host, folder)


def _in_threads(function: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    def call(item: Any) -> Any:
        try:
            return function(item)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(call, items))


def create_sites(count: int, run: str | None = None) -> list[Site]:
    """``count`` committed tenants with their domains and marker rows."""
    from tenantry_django.testing import ensure_template_schema

    chosen = run or uuid.uuid4().hex[:6]
    ensure_template_schema()
    return _in_threads(lambda index: _site(index, chosen), list(range(count)))


def drop_sites(sites: list[Site]) -> None:
    """Drop the tenants' schemas and rows, and the template they were cloned from."""
    from tenantry_django.testing import drop_template_schema

    connections.close_all()
    _in_threads(lambda site: site.tenant.delete(force_drop=True), sites)
    drop_template_schema()
