from __future__ import annotations

import sys
import types

import pytest
from django.core.checks import run_checks
from django.test import override_settings

import tenantry


@pytest.fixture
def plugin_module():
    module = types.ModuleType("sandbox_resolver_plugin")

    def resolve_everything(request):
        return tenantry.Resolution(tenantry.SchemaDescriptor("from_settings"))

    @tenantry.hookimpl
    def tenantry_register_resolvers():
        return [tenantry.ResolverSpec("from_settings", resolve_everything)]

    module.tenantry_register_resolvers = tenantry_register_resolvers  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


def plugin_names() -> set[str]:
    return {info.name for info in tenantry.list_plugins()}


def test_plugins_named_in_settings_are_registered_and_unregistered(plugin_module):
    assert "sandbox_resolver_plugin" not in plugin_names()
    with override_settings(TENANTRY_PLUGINS=["sandbox_resolver_plugin"]):
        assert "sandbox_resolver_plugin" in plugin_names()
        resolve = tenantry.get_resolvers()["from_settings"].resolve
        resolution = resolve(tenantry.RequestInfo(host="x"))
        assert resolution.tenant.schema_name == "from_settings"
    assert "sandbox_resolver_plugin" not in plugin_names()


def test_plugins_blocked_in_settings_are_removed():
    assert "example" in plugin_names()
    with override_settings(TENANTRY_BLOCKED_PLUGINS=["example"]):
        assert "example" not in plugin_names()
        assert "reverse" not in tenantry.get_executors()
    assert "example" in plugin_names()


def check_ids() -> list[str]:
    return [message.id for message in run_checks() if message.id.startswith("tenantry.")]


def test_valid_settings_pass_the_checks(plugin_module):
    with override_settings(TENANTRY_PLUGINS=["sandbox_resolver_plugin"]):
        assert check_ids() == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"TENANTRY_PLUGINS": "sandbox_resolver_plugin"}, ["tenantry.E001"]),
        ({"TENANTRY_BLOCKED_PLUGINS": [1]}, ["tenantry.E002"]),
    ],
)
def test_badly_typed_plugin_settings_are_system_check_errors(overrides, expected):
    from tenantry_django.checks import check_plugin_settings

    with override_settings(**overrides):
        assert [message.id for message in check_plugin_settings()] == expected


def test_an_unimportable_plugin_is_a_system_check_error():
    from tenantry_django.checks import check_plugin_settings

    with override_settings(TENANTRY_PLUGINS=["not_a_module.at_all"]):
        [message] = check_plugin_settings()
    assert message.id == "tenantry.E003"
    assert "not_a_module.at_all" in message.msg
    assert "TENANTRY_PLUGINS" in message.hint
