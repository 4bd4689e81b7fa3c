"""The cache backends every suite here runs through, each with tenantry's key function."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import BaseCache, caches
from django.core.management import call_command
from django.test import override_settings

KEY_FUNCTION = "tenantry_cache.make_key"
CACHE_TABLE = "tenantry_test_cache_entries"


def backend_settings(name: str, tmp_path: Path, redis_url: str | None) -> dict[str, Any]:
    prefix = f"t{uuid.uuid4().hex[:8]}"  # a shared Redis may hold other runs' keys
    common = {"KEY_FUNCTION": KEY_FUNCTION, "KEY_PREFIX": prefix}
    if name == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": prefix, **common}  # fmt: skip
    if name == "file":
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path / "cache"), **common}  # fmt: skip
    if name == "database":
        return {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": CACHE_TABLE, **common}  # fmt: skip
    assert name == "redis"
    return {"BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url, **common}  # fmt: skip


@contextlib.contextmanager
def configured_cache(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BaseCache]:
    """``caches["default"]`` on one real backend (Redis: a redis-server on loopback)."""
    name = request.param
    redis_url = request.getfixturevalue("redis_url") if name == "redis" else None
    with override_settings(CACHES={"default": backend_settings(name, tmp_path, redis_url)}):
        if name == "database":
            call_command("createcachetable", verbosity=0)  # in public; rolled back after
        backend = caches["default"]
        yield backend
        if name == "redis":  # only this test's keys: never a FLUSHDB
            client = backend._cache.get_client(write=True)  # type: ignore[attr-defined]
            for key in client.scan_iter(match=f"*:{backend.key_prefix}:*"):
                client.unlink(key)
        backend.close()


@pytest.fixture(params=["locmem", "file", "database", "redis"])
def cache(request: pytest.FixtureRequest, tmp_path: Path, db: None) -> Iterator[BaseCache]:
    with configured_cache(request, tmp_path) as backend:
        yield backend


@pytest.fixture(params=["locmem", "database", "redis"])
def listing_cache(request: pytest.FixtureRequest, tmp_path: Path, db: None) -> Iterator[BaseCache]:
    """The backends that can find one tenant's keys (the file cache hashes them)."""
    with configured_cache(request, tmp_path) as backend:
        yield backend
