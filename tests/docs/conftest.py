"""The wheels the tutorial installs, built once per session (as tests/integration does)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    outdir = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "build_wheels.py"), str(outdir)],
        check=True,
        capture_output=True,
    )
    return outdir
