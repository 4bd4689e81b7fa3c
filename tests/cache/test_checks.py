"""System checks catch caches that would mix tenants."""

from __future__ import annotations

from django.core.checks import run_checks
from django.test import override_settings

TENANT = "tenantry_django.middleware.TenantMiddleware"
UPDATE = "django.middleware.cache.UpdateCacheMiddleware"
FETCH = "django.middleware.cache.FetchFromCacheMiddleware"


def ids(**settings):
    with override_settings(**settings):
        return sorted(m.id for m in run_checks(tags=["caches"]) if m.id.startswith("tenantry."))


def test_the_sandbox_configuration_is_clean():
    assert ids() == []


def test_a_cache_without_tenant_keys_is_reported():
    plain = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    with override_settings(CACHES={"default": plain}):
        (message,) = [m for m in run_checks(tags=["caches"]) if m.id == "tenantry.W040"]
    assert "CACHES['default']" in message.msg
    assert "tenantry_cache.make_key" in message.hint


def test_cache_middleware_before_the_tenant_middleware_is_an_error():
    assert ids(MIDDLEWARE=[UPDATE, TENANT, FETCH]) == ["tenantry.E040"]
    assert ids(MIDDLEWARE=[FETCH, UPDATE, TENANT]) == ["tenantry.E040", "tenantry.E040"]
    assert ids(MIDDLEWARE=[TENANT, UPDATE, FETCH]) == []
