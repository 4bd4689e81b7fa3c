"""What the moved mode's operations share: tenant B's side, and how to judge it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.db import transaction

from sandbox.stress.probe import current_schema
from sandbox.stress.tenants import Site
from tenantry import PUBLIC_SCHEMA, tenant_context


def notes() -> Any:
    from sandbox.notes.models import Note

    return Note.objects


@contextmanager
def acting_in(away: Site | None, atomic: bool) -> Iterator[list[str]]:
    """B's context (or none), optionally in a transaction; yields the schemas B's own
    statements saw before and after the operation (filled in as they run)."""
    seen: list[str] = []
    with (
        tenant_context(away.tenant) if away else nullcontext(),
        transaction.atomic() if atomic else nullcontext(),
    ):
        if atomic:
            seen.append(current_schema())
        yield seen
        seen.append(current_schema())


def context_problem(away: Site | None, seen: list[str]) -> str | None:
    own = away.schema if away else PUBLIC_SCHEMA
    wrong = [schema for schema in seen if schema != own]
    return f"the acting context's own statements ran in {wrong}" if wrong else None
