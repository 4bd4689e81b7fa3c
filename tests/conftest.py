"""Shared fixtures. The PostgreSQL server comes from the harness plugin (tests/harness)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import tenantry


@pytest.fixture
def clean_plugins() -> Iterator[None]:
    """Start from entry-point plugins only and leave them that way afterwards."""
    tenantry.configure_plugins()
    yield
    tenantry.configure_plugins()
