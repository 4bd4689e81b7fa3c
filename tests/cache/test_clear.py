"""clear_tenant_keys: one tenant's entries go, everyone else's stay."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import override_settings

from tenantry import tenant_context
from tenantry_cache import UnsupportedCacheError, clear_tenant_keys


def fill(cache, tenants):
    for tenant in tenants:
        with tenant_context(tenant):
            cache.set_many({"a": 1, "b": 2})
            cache.set("a", "old", version=7)
    cache.set_many({"a": "public", "b": "public"})


def present(cache, tenant):
    with tenant_context(tenant):
        return cache.get_many(["a", "b"]), cache.get("a", version=7)


def test_clearing_one_tenant_keeps_the_others(listing_cache, tenant_factory):
    cache = listing_cache
    acme, globex = tenant_factory("clear_a"), tenant_factory("clear_b")
    fill(cache, [acme, globex])

    assert clear_tenant_keys(acme, cache) == 3  # two keys, and one more version

    assert present(cache, acme) == ({}, None)
    assert present(cache, globex) == ({"a": 1, "b": 2}, "old")
    assert cache.get_many(["a", "b"]) == {"a": "public", "b": "public"}
    assert clear_tenant_keys(acme, cache) == 0  # a rerun finds nothing more


def test_the_file_cache_refuses_and_removes_nothing(tenant_factory, tmp_path):
    acme = tenant_factory("clear_f")
    location = {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path), "KEY_FUNCTION": "tenantry_cache.make_key"}  # fmt: skip
    with override_settings(CACHES={"default": location}):
        cache = caches["default"]
        fill(cache, [acme])
        with pytest.raises(UnsupportedCacheError, match=r"FileBasedCache cannot list its keys"):
            clear_tenant_keys(acme, "default")
        assert present(cache, acme) == ({"a": 1, "b": 2}, "old")


def test_a_cache_without_tenant_keys_is_refused(tenant_factory):
    acme = tenant_factory("clear_k")
    plain = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "plain"}
    with override_settings(CACHES={"default": plain}):
        caches["default"].set("a", 1)
        with pytest.raises(UnsupportedCacheError, match="KEY_FUNCTION is not"):
            clear_tenant_keys(acme)
        assert caches["default"].get("a") == 1


@pytest.mark.parametrize("listing_cache", ["redis"], indirect=True)
def test_redis_scans_in_batches_and_never_flushes(listing_cache, tenant_factory):
    cache = listing_cache
    acme, globex = tenant_factory("clear_r1"), tenant_factory("clear_r2")
    with tenant_context(acme):
        cache.set_many({f"k{i}": i for i in range(2500)})  # more than one SCAN/UNLINK batch
    with tenant_context(globex):
        cache.set("k1", "globex's")
    client = cache._cache.get_client(write=True)
    client.set(f"unrelated:{cache.key_prefix}", "another site's key")

    assert clear_tenant_keys(acme, cache) == 2500

    with tenant_context(acme):
        assert cache.get_many([f"k{i}" for i in range(2500)]) == {}
    with tenant_context(globex):
        assert cache.get("k1") == "globex's"
    assert client.get(f"unrelated:{cache.key_prefix}") == b"another site's key"
    client.unlink(f"unrelated:{cache.key_prefix}")
