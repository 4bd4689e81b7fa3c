"""What routing remembers (``tenantry_django.routing._cache``): bounded tables whose entries
expire, cleared by a changed tenant or domain row, started over by a changed setting."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings
from sandbox.customers.models import Domain

from tenantry_django.routing import clear_caches
from tenantry_django.routing._cache import ExpiringCache, RoutingCaches, current_caches


def test_a_value_is_loaded_once_until_it_expires(monkeypatch):
    loads: list[str] = []
    cache: ExpiringCache[str, str] = ExpiringCache(seconds=10)

    def load(key: str) -> str:
        loads.append(key)
        return key.upper()

    assert cache.get("a", load) == cache.get("a", load) == "A"
    assert loads == ["a"]
    later = time.monotonic() + 10.5
    monkeypatch.setattr("tenantry_django.routing._cache.time.monotonic", lambda: later)
    assert cache.get("a", load) == "A"
    assert loads == ["a", "a"]


def test_the_table_starts_over_at_its_bound_instead_of_growing():
    cache: ExpiringCache[str, int] = ExpiringCache(seconds=10, max_entries=3)
    for index in range(3):
        cache.get(f"k{index}", len)
    cache.put("k0", 7, time.monotonic() + 10)  # a known key never starts it over
    assert len(cache) == 3
    cache.get("k3", len)  # a new one does
    assert list(cache.entries) == ["k3"]


def test_an_entry_expires_no_later_than_asked():
    cache: ExpiringCache[str, int] = ExpiringCache(seconds=10)
    cache.put("k", 1, 100.0)
    assert cache.expires("k", 50.0) == 50.0
    assert cache.expires("k", 500.0) == 100.0
    assert cache.expires("missing", 500.0) == 500.0


def test_one_object_per_settings_holds_every_table():
    caches = current_caches()
    assert current_caches() is caches
    assert caches.seconds == 10.0  # TENANTRY_RESOLVER_CACHE_SECONDS' default
    assert caches.answers.seconds == caches.domains.seconds == caches.names.seconds == 10.0


@pytest.mark.parametrize(
    "setting",
    [
        {"TENANTRY_RESOLVER_CACHE_SECONDS": 3},
        {"TENANTRY_RESOLVERS": ["header"]},
        {"ALLOWED_HOSTS": ["acme.test"]},
        {"USE_X_FORWARDED_HOST": True},
        {"DEBUG": True},
    ],
)
def test_a_changed_setting_starts_every_table_over(setting):
    caches = current_caches()
    caches.hosts[(None, "acme.test")] = "acme.test"
    with override_settings(**setting):
        fresh = current_caches()
        assert fresh is not caches
        assert fresh.hosts == {}
        if "TENANTRY_RESOLVER_CACHE_SECONDS" in setting:
            assert fresh.seconds == fresh.domains.seconds == 3.0
    assert current_caches() is not caches  # and back: read again, not the old object


def test_an_unrelated_setting_keeps_the_tables():
    caches = current_caches()
    with override_settings(LANGUAGE_CODE="fr"):
        assert current_caches() is caches


def fill(caches: RoutingCaches) -> None:
    expires = time.monotonic() + 10
    caches.answers.put(("acme.test", ""), (None, None), expires)
    caches.domains.put("acme.test", ({}, {}), expires)
    caches.names.put("acme", None, expires)
    caches.hosts[(None, "acme.test")] = "acme.test"


def test_clear_caches_forgets_answers_and_rows_but_not_validated_hosts():
    caches = current_caches()
    fill(caches)
    clear_caches()
    assert (len(caches.answers), len(caches.domains), len(caches.names)) == (0, 0, 0)
    assert caches.hosts == {(None, "acme.test"): "acme.test"}  # settings alone decide those


def test_a_saved_or_deleted_tenant_or_domain_row_clears_them(make_tenant):
    tenant = make_tenant("cached", domain="cached.test")
    domain = Domain.objects.get(domain="cached.test")
    for change in (domain.save, tenant.save, domain.delete):
        fill(current_caches())
        change()
        assert len(current_caches().domains) == 0, change


def test_a_working_set_of_10000_tenants_stays_in_every_table():
    """A server with 10,000 tenants serving each in turn: no table starts over, so no host
    pays its query again before its entries expire."""
    caches = RoutingCaches()  # the tables a process starts with, empty
    expires = time.monotonic() + 60
    hosts = [f"tenant{index}.test" for index in range(10_000)]
    for host in hosts:
        caches.remember_host((None, host), host)
        caches.domains.put(host, ({}, {}), expires)
        caches.answers.put((host, ""), (None, None), expires)  # type: ignore[arg-type]
        caches.names.put(host.split(".")[0], None, expires)
    assert len(caches.hosts) == len(caches.domains) == len(caches.answers) == 10_000
    assert len(caches.names) == 10_000
    assert caches.hosts[(None, hosts[0])] == hosts[0]  # the first still there after the last
    assert hosts[0] in caches.domains.entries
    assert (hosts[0], "") in caches.answers.entries
