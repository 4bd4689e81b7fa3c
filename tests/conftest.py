"""Shared fixtures. The PostgreSQL server comes from the harness plugin (tests/harness)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import tenantry

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def clean_plugins() -> Iterator[None]:
    """Start from entry-point plugins only and leave them that way afterwards."""
    tenantry.configure_plugins()
    yield
    tenantry.configure_plugins()


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One wheel per distribution, built once per session: the packaging and demo tests and
    the tutorial install them."""
    outdir = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_wheels.py"), str(outdir)],
        check=True,
        capture_output=True,
    )
    return outdir
