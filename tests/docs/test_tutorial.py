"""docs/tutorial.md, every block of it, run by scripts/tutorial.py into a fresh virtualenv
made from the wheels we build, against the session's PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_harness import PostgresServer, free_port

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "tutorial.py"
DATABASE = "mysite"  # the name the tutorial's settings use

pytestmark = pytest.mark.packaging


@pytest.fixture
def tutorial_server(postgres_server: PostgresServer) -> Iterator[PostgresServer]:
    """The session's server, without the tutorial's database before and after."""
    postgres_server.drop_database(DATABASE)
    yield postgres_server
    postgres_server.drop_database(DATABASE)


def run_tutorial(
    server: PostgresServer, wheels: Path, workdir: Path, tutorial: Path | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    environment.update(
        PGHOST=server.host,
        PGPORT=str(server.port),
        PGUSER=server.user,
        PGPASSWORD=server.password,
    )
    command = [
        sys.executable,
        str(RUNNER),
        "--workdir",
        str(workdir),
        "--wheels",
        str(wheels),
        "--port",
        str(free_port()),
    ]
    if tutorial is not None:
        command += ["--tutorial", str(tutorial)]
    return subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=1800, check=False
    )


def test_every_block_of_the_tutorial_runs_as_the_page_says(
    tutorial_server: PostgresServer, wheels: Path, tmp_path: Path
):
    result = run_tutorial(tutorial_server, wheels, tmp_path / "work")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "every block ran as the page says" in result.stdout
    # The page's own checks ran: the curl output of both tenants and the test.
    assert "and checked its output" in result.stdout
