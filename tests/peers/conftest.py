"""Fixtures of the migration guides' tests: a fresh database per peer project."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from peerkit import PeerProject
from postgres_harness import PostgresServer


@pytest.fixture
def peer_project(
    postgres_server: PostgresServer, tmp_path: Path
) -> Iterator[Callable[[str], PeerProject]]:
    """``peer_project(name)``: a copy of ``projects/<name>`` on a new, empty database."""
    created: list[str] = []

    def make(name: str) -> PeerProject:
        database = f"peers_{name}_{uuid.uuid4().hex[:8]}"
        postgres_server.create_database(database)
        created.append(database)
        return PeerProject.copy(name, tmp_path, postgres_server.url(database))

    yield make
    for database in created:
        postgres_server.drop_database(database)
