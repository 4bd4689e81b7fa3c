"""The settings object: each setting's default and override, and what a change drops.

``get_settings()`` reads every ``TENANTS``/``TENANTRY_*`` setting once and keeps it; the one
``setting_changed`` receiver replaces the object (and what was derived from it) when a
setting it depends on changes, and hands plugin settings to core's plugin manager.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

import tenantry
from tenantry_django.conf import (
    DEFAULT_CACHE_SECONDS,
    DEFAULT_HEADER,
    DEFAULT_ORIGINAL_BACKEND,
    DEFAULT_RESOLVERS,
    DEFAULT_SESSION_KEY,
    TenantrySettings,
    get_settings,
)

# (setting, attribute, default): the sandbox sets none of them.
DEFAULTS = [
    ("TENANTRY_EXTRA_SEARCH_PATHS", "extra_search_paths", ()),
    ("TENANTRY_ORIGINAL_BACKEND", "original_backend", DEFAULT_ORIGINAL_BACKEND),
    ("TENANTRY_RESOLVERS", "resolvers", DEFAULT_RESOLVERS),
    ("TENANTRY_RESOLVER_CACHE_SECONDS", "resolver_cache_seconds", DEFAULT_CACHE_SECONDS),
    ("TENANTRY_HEADER", "header", DEFAULT_HEADER),
    ("TENANTRY_SESSION_KEY", "session_key", DEFAULT_SESSION_KEY),
    ("TENANTRY_UNKNOWN_HOST_VIEW", "unknown_host_view", None),
    ("TENANTRY_PLUGINS", "plugins", ()),
    ("TENANTRY_BLOCKED_PLUGINS", "blocked_plugins", ()),
    ("TENANTRY_PARALLEL_MAX_PROCESSES", "parallel_max_processes", None),
    ("TENANTRY_TASKS_PER_PROCESS", "tasks_per_process", None),
]

# (setting, value written, attribute, value read)
OVERRIDES = [
    ("TENANTRY_EXTRA_SEARCH_PATHS", ["extensions"], "extra_search_paths", ("extensions",)),
    ("TENANTRY_EXTRA_SEARCH_PATHS", "extensions", "extra_search_paths", ()),  # not a list
    (
        "TENANTRY_ORIGINAL_BACKEND",
        "django.contrib.gis.db.backends.postgis",
        "original_backend",
        "django.contrib.gis.db.backends.postgis",
    ),
    ("TENANTRY_ORIGINAL_BACKEND", None, "original_backend", DEFAULT_ORIGINAL_BACKEND),
    ("TENANTRY_RESOLVERS", ["header", "domain"], "resolvers", ("header", "domain")),
    ("TENANTRY_RESOLVER_CACHE_SECONDS", 0, "resolver_cache_seconds", 0.0),
    ("TENANTRY_HEADER", "X-Customer", "header", "X-Customer"),
    ("TENANTRY_SESSION_KEY", "customer", "session_key", "customer"),
    ("TENANTRY_UNKNOWN_HOST_VIEW", "app.views.unknown", "unknown_host_view", "app.views.unknown"),
    ("TENANTRY_UNKNOWN_HOST_VIEW", "", "unknown_host_view", None),
    ("TENANTRY_PLUGINS", ["some.plugin"], "plugins", ("some.plugin",)),
    ("TENANTRY_BLOCKED_PLUGINS", ["example"], "blocked_plugins", ("example",)),
    ("TENANTRY_PARALLEL_MAX_PROCESSES", 3, "parallel_max_processes", 3),
    ("TENANTRY_TASKS_PER_PROCESS", 50, "tasks_per_process", 50),
]


@pytest.fixture(autouse=True)
def _plugins_as_configured() -> Any:
    """Plugin settings changed here reach core's manager; leave it as settings say."""
    yield
    tenantry.configure_plugins(extra=get_settings().plugins, blocked=get_settings().blocked_plugins)


@pytest.mark.parametrize(("setting", "attribute", "default"), DEFAULTS)
def test_each_setting_has_its_default(setting, attribute, default):
    assert not hasattr(settings, setting)
    assert getattr(get_settings(), attribute) == default


@pytest.mark.parametrize(("setting", "value", "attribute", "expected"), OVERRIDES)
def test_each_setting_is_read_from_django_settings(setting, value, attribute, expected):
    with override_settings(**{setting: value}):
        assert getattr(get_settings(), attribute) == expected
    default = next(default for name, attr, default in DEFAULTS if attr == attribute)
    assert getattr(get_settings(), attribute) == default


def test_a_fresh_object_reads_the_settings_in_force():
    with override_settings(TENANTRY_HEADER="X-Fresh"):
        assert TenantrySettings().header == "X-Fresh"
    assert TenantrySettings().header == DEFAULT_HEADER


def test_raw_values_are_as_written_for_the_checks():
    current = get_settings()
    assert current.raw_tenants is settings.TENANTS
    assert current.raw_resolvers == list(DEFAULT_RESOLVERS)
    assert current.raw_plugins == ()
    assert current.raw_blocked_plugins == ()
    assert current.raw_transaction_pooling is False
    with override_settings(
        TENANTRY_RESOLVERS="domain",
        TENANTRY_PLUGINS="some.plugin",
        TENANTRY_BLOCKED_PLUGINS=[1],
        TENANTRY_TRANSACTION_POOLING="default",
    ):
        current = get_settings()
        assert current.raw_resolvers == "domain"
        assert current.raw_plugins == "some.plugin"
        assert current.raw_blocked_plugins == [1]
        assert current.raw_transaction_pooling == "default"


# --- TENANTS ---------------------------------------------------------------------------------


def test_tenants_is_parsed_once_per_object():
    current = get_settings()
    assert current.tenants is current.tenants
    statics = {key for key in settings.TENANTS if key not in ("public", "default")}
    assert set(current.tenants.statics) == statics
    assert current.tenants.dynamic is not None
    assert current.tenants.dynamic.tenant_model == settings.TENANTS["default"]["TENANT_MODEL"]


def test_a_changed_tenants_setting_is_parsed_again():
    before = get_settings().tenants
    tenants = copy.deepcopy(settings.TENANTS)
    tenants["extra"] = {"APPS": ["sandbox.blog"], "DOMAINS": ["Extra.Example.com"]}
    with override_settings(TENANTS=tenants):
        config = get_settings().tenants
        assert config is not before
        assert config.statics["extra"].domains == ("extra.example.com",)
    assert "extra" not in get_settings().tenants.statics


def test_extra_search_paths_reach_the_parsed_tenants():
    with override_settings(TENANTRY_EXTRA_SEARCH_PATHS=["extensions"]):
        config = get_settings().tenants
        assert config.extra_search_paths == ("extensions",)
        assert "extensions" in config.reserved_schema_names


@pytest.mark.parametrize("value", [None, {}, {"public": "not a dict"}])
def test_a_broken_tenants_setting_is_improperly_configured(value):
    with override_settings(TENANTS=value):
        with pytest.raises(ImproperlyConfigured, match="TENANTS"):
            get_settings().tenants  # noqa: B018
        assert get_settings().raw_tenants == value


# --- transaction pooling ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "default", "other"),
    [(False, False, False), (True, True, True), (["other"], False, True), ((), False, False)],
)
def test_transaction_pooling_per_alias(value, default, other):
    with override_settings(TENANTRY_TRANSACTION_POOLING=value):
        assert get_settings().transaction_pooling("default") is default
        assert get_settings().transaction_pooling("other") is other


def test_transaction_pooling_of_another_type_is_improperly_configured():
    with (
        override_settings(TENANTRY_TRANSACTION_POOLING="default"),
        pytest.raises(ImproperlyConfigured, match="TENANTRY_TRANSACTION_POOLING"),
    ):
        get_settings().transaction_pooling("default")


# --- what a change drops, and what it keeps --------------------------------------------------


def test_the_object_is_kept_while_nothing_changes():
    assert get_settings() is get_settings()


def test_a_derived_value_is_built_once_per_object():
    calls: list[int] = []

    def build() -> object:
        calls.append(1)
        return object()

    current = get_settings()
    value = current.derived("test_conf", build)
    assert current.derived("test_conf", build) is value
    assert get_settings().derived("test_conf", build) is value
    assert calls == [1]


def test_a_derived_value_may_be_built_from_another_derived_value():
    # Building holds the object's lock; a builder asking for another derived value (in the
    # same thread) must get it instead of waiting for itself forever.
    current = get_settings()
    finished: list[object] = []

    def build_outer() -> tuple[str, str]:
        return ("outer", current.derived("test_conf_inner", lambda: "inner"))

    worker = threading.Thread(
        target=lambda: finished.append(current.derived("test_conf_outer", build_outer)),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=10)
    assert finished == [("outer", "inner")]


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("TENANTRY_HEADER", "X-Changed"),
        ("TENANTS", {"public": {"APPS": []}}),
        ("ALLOWED_HOSTS", ["changed.example.com"]),  # Django's own, read by host validation
    ],
)
def test_one_change_drops_every_value_and_everything_derived(setting, value):
    before = get_settings()
    derived = before.derived("test_conf", object)
    header = before.header
    with override_settings(**{setting: value}):
        during = get_settings()
        assert during is not before
        assert during.derived("test_conf", object) is not derived
    after = get_settings()
    assert after is not before  # restoring the setting is a change too
    assert after.derived("test_conf", object) is not derived
    assert after.header == header


@pytest.mark.parametrize(
    ("setting", "value"), [("TIME_ZONE", "Asia/Tokyo"), ("SOME_PROJECT_SETTING", 1)]
)
def test_an_unrelated_setting_keeps_the_object(setting, value):
    before = get_settings()
    derived = before.derived("test_conf", object)
    with override_settings(**{setting: value}):
        assert get_settings() is before
        assert get_settings().derived("test_conf", object) is derived
    assert get_settings() is before


# --- plugins ---------------------------------------------------------------------------------


def test_plugin_settings_reconfigure_core_plugins():
    manager = tenantry.get_plugin_manager()
    assert not manager.is_blocked("example")
    with override_settings(TENANTRY_BLOCKED_PLUGINS=["example"]):
        blocking = tenantry.get_plugin_manager()
        assert blocking is not manager
        assert blocking.is_blocked("example")
    restored = tenantry.get_plugin_manager()
    assert restored is not blocking
    assert not restored.is_blocked("example")


def test_other_settings_keep_core_plugins():
    manager = tenantry.get_plugin_manager()
    with override_settings(TENANTRY_HEADER="X-Changed"):
        assert tenantry.get_plugin_manager() is manager
    assert tenantry.get_plugin_manager() is manager
