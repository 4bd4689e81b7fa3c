from __future__ import annotations

import sys
import types

import pluggy
import pytest

import tenantry
from tenantry import ExecutorSpec, PluginError, RequestInfo, SchemaDescriptor

pytestmark = pytest.mark.usefixtures("clean_plugins")


def resolve(host: str, **headers: str) -> tenantry.Resolution | None:
    """Every resolver the plugins announce, asked in name order (built-ins blocked)."""
    request = RequestInfo(host=host, headers={k.lower(): v for k, v in headers.items()})
    for spec in tenantry.get_resolvers().values():
        resolution = spec.resolve(request)
        if resolution is not None:
            return resolution
    return None


def test_plugins_of_every_installed_package_are_found_through_entry_points():
    found = {info.name: info for info in tenantry.list_plugins()}
    assert {"django", "cli", "example"} <= set(found)
    assert found["example"].source == "entry point (tenantry-example-plugin 0.1.0)"
    assert found["example"].hooks == ("tenantry_register_executors", "tenantry_register_resolvers")


def test_packages_that_implement_no_hook_register_no_plugin():
    # tenantry-cache and tenantry-channels are installed here, but are Django apps only.
    found = {info.name for info in tenantry.list_plugins()}
    assert not {"cache", "channels"} & found
    assert all(info.hooks for info in tenantry.list_plugins())


BUILTIN_RESOLVERS = ["domain", "header", "session"]  # tenantry-django's, which need Django


def test_third_party_resolver_from_entry_points_resolves():
    tenantry.configure_plugins(blocked=BUILTIN_RESOLVERS)
    resolution = resolve("anything.example.com", **{"X-Example-Tenant": "acme"})
    assert resolution is not None
    assert resolution.tenant == SchemaDescriptor("acme")
    assert resolution.resolver == "example"
    assert resolve("anything.example.com") is None


def test_third_party_executor_from_entry_points_is_offered():
    executors = tenantry.get_executors()
    spec = executors["reverse"]
    run = spec.factory()
    assert run([1, 2, 3], lambda n: n * 10) == [30, 20, 10]
    assert "example plugin" in spec.description


def test_blocking_a_plugin_by_name_removes_its_hooks():
    tenantry.configure_plugins(blocked=["example", *BUILTIN_RESOLVERS])
    assert "example" not in {info.name for info in tenantry.list_plugins()}
    assert "reverse" not in tenantry.get_executors()
    assert resolve("x", **{"X-Example-Tenant": "acme"}) is None
    assert tenantry.get_plugin_manager().is_blocked("example")


@pytest.fixture
def settings_plugin_module():
    module = types.ModuleType("tenantry_settings_plugin")

    class HostResolver:
        @staticmethod
        def resolve_custom_host(request):
            if request.host == "custom.test":
                return tenantry.Resolution(SchemaDescriptor("custom"), resolver="custom")
            return None

        @tenantry.hookimpl
        def tenantry_register_resolvers(self):
            return [tenantry.ResolverSpec("custom", self.resolve_custom_host)]

    module.resolver = HostResolver()  # type: ignore[attr-defined]

    @tenantry.hookimpl
    def tenantry_register_executors():
        return [ExecutorSpec("custom", factory=lambda **options: None)]

    module.tenantry_register_executors = tenantry_register_executors  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    yield module
    del sys.modules[module.__name__]


@pytest.mark.parametrize(
    "path", ["tenantry_settings_plugin:resolver", "tenantry_settings_plugin.resolver"]
)
def test_plugins_can_be_registered_by_dotted_path(settings_plugin_module, path):
    tenantry.configure_plugins(extra=[path], blocked=BUILTIN_RESOLVERS)
    resolution = resolve("custom.test")
    assert resolution is not None
    assert resolution.tenant.schema_name == "custom"
    info = {i.name: i for i in tenantry.list_plugins()}[path]
    assert info.source == "dotted path"
    assert info.hooks == ("tenantry_register_resolvers",)


def test_a_module_can_be_registered_by_dotted_path(settings_plugin_module):
    tenantry.configure_plugins(extra=["tenantry_settings_plugin"])
    assert "custom" in tenantry.get_executors()


def test_a_plugin_registered_by_dotted_path_can_be_blocked(settings_plugin_module):
    tenantry.configure_plugins(
        extra=["tenantry_settings_plugin"], blocked=["tenantry_settings_plugin"]
    )
    assert "custom" not in tenantry.get_executors()


def test_unimportable_dotted_path_is_a_clear_error():
    tenantry.configure_plugins(extra=["no_such_package.plugin"])
    expected = r"Cannot import tenantry plugin 'no_such_package\.plugin'"
    with pytest.raises(PluginError, match=expected):
        tenantry.get_plugin_manager()


def test_missing_attribute_is_a_clear_error():
    tenantry.configure_plugins(extra=["tenantry:no_such_attribute"])
    with pytest.raises(PluginError, match="no_such_attribute"):
        tenantry.get_plugin_manager()


def test_check_pending_rejects_an_implementation_of_an_unknown_hook(settings_plugin_module):
    @tenantry.hookimpl
    def tenantry_register_resolverz():  # misspelt hook name
        return []

    settings_plugin_module.tenantry_register_resolverz = tenantry_register_resolverz
    tenantry.configure_plugins(extra=["tenantry_settings_plugin"])
    with pytest.raises(PluginError, match="unknown hook"):
        tenantry.get_plugin_manager()


def test_wrong_hook_arguments_are_rejected_at_registration():
    class Broken:
        @tenantry.hookimpl
        def tenantry_tenant_activated(self, tenant, previous, extra_argument):
            return None

    with pytest.raises(pluggy.PluginValidationError):
        tenantry.get_plugin_manager().register(Broken())


def test_two_resolvers_with_one_name_is_an_error_naming_both_plugins():
    class Duplicate:
        @tenantry.hookimpl
        def tenantry_register_resolvers(self):
            return [tenantry.ResolverSpec("example", lambda request: None)]

    tenantry.get_plugin_manager().register(Duplicate(), name="duplicate")
    with pytest.raises(PluginError, match=r"'example' is registered by both '.+' and '.+'"):
        tenantry.get_resolvers()


def test_two_executors_with_one_name_is_an_error(settings_plugin_module):
    class Duplicate:
        @tenantry.hookimpl
        def tenantry_register_executors(self):
            return [ExecutorSpec("reverse", factory=lambda **options: None)]

    tenantry.get_plugin_manager().register(Duplicate(), name="duplicate")
    with pytest.raises(PluginError, match="'reverse' is registered by both"):
        tenantry.get_executors()


def test_without_a_catalog_plugin_selection_explains_what_to_install():
    tenantry.configure_plugins(blocked=["django"])  # the Django package supplies the catalog
    with pytest.raises(PluginError, match="No tenant catalog is registered"):
        tenantry.get_tenant_catalog()


def test_a_catalog_plugin_supplies_the_catalog():
    tenantry.configure_plugins(blocked=["django"])
    catalog = tenantry.StaticCatalog(())

    class CatalogPlugin:
        @tenantry.hookimpl
        def tenantry_tenant_catalog(self):
            return catalog

    tenantry.get_plugin_manager().register(CatalogPlugin())
    assert tenantry.get_tenant_catalog() is catalog


def test_configuring_rebuilds_the_manager_once():
    first = tenantry.get_plugin_manager()
    assert tenantry.get_plugin_manager() is first
    tenantry.configure_plugins()
    assert tenantry.get_plugin_manager() is not first


def test_entry_points_can_be_switched_off():
    tenantry.configure_plugins(load_entry_points=False)
    assert tenantry.list_plugins() == []


def test_select_tenants_defaults_to_the_catalog_a_plugin_supplies():
    tenantry.configure_plugins(blocked=["django"])
    entry = tenantry.CatalogEntry(SchemaDescriptor("acme"), tenantry.TenantKind.DYNAMIC, "acme")

    class CatalogPlugin:
        @tenantry.hookimpl
        def tenantry_tenant_catalog(self):
            return tenantry.StaticCatalog((entry,))

    tenantry.get_plugin_manager().register(CatalogPlugin())
    assert tenantry.select_tenants([":all:"]) == [entry]


def test_python_m_tenantry_lists_plugins_hooks_and_executors():
    import subprocess

    result = subprocess.run(
        [sys.executable, "-m", "tenantry"], capture_output=True, text=True, check=True
    )
    assert "  example  [entry point (tenantry-example-plugin 0.1.0)]" in result.stdout
    assert "      tenantry_register_resolvers" in result.stdout
    assert "  example  the X-Example-Tenant header (example plugin)" in result.stdout
    assert "  reverse  Run tenants last to first (example plugin)" in result.stdout
