"""tenantry core: who the current tenant is, where it lives, and how plugins join in.

Imports nothing but the standard library and pluggy; Django lives in ``tenantry_django``.
"""

from tenantry._activation import (
    activate,
    deactivate,
    enter_tenant,
    get_current_tenant,
    leave_tenant,
    tenant_context,
)
from tenantry._catalog import CatalogEntry, StaticCatalog, TenantCatalog, TenantKind
from tenantry._executors import Executor, ExecutorFactory, ExecutorSpec
from tenantry._hookspecs import hookimpl
from tenantry._plugins import (
    PluginError,
    PluginInfo,
    activation_listeners_changed,
    configure_plugins,
    get_executors,
    get_plugin_manager,
    get_resolvers,
    get_tenant_catalog,
    import_object,
    list_plugins,
)
from tenantry._resolution import RequestInfo, Resolution, Resolver, ResolverSpec
from tenantry._schema_names import (
    MAX_IDENTIFIER_BYTES,
    PUBLIC_SCHEMA,
    SchemaNameError,
    is_valid_schema_name,
    quote_identifier,
    quote_literal,
    validate_schema_name,
)
from tenantry._selectors import (
    AmbiguousSelectorError,
    SelectorError,
    UnknownSelectorError,
    select_tenants,
)
from tenantry._tenant import DEFAULT_DATABASE, SchemaDescriptor, Tenant, describe

__all__ = [
    "DEFAULT_DATABASE",
    "MAX_IDENTIFIER_BYTES",
    "PUBLIC_SCHEMA",
    "AmbiguousSelectorError",
    "CatalogEntry",
    "Executor",
    "ExecutorFactory",
    "ExecutorSpec",
    "PluginError",
    "PluginInfo",
    "RequestInfo",
    "Resolution",
    "Resolver",
    "ResolverSpec",
    "SchemaDescriptor",
    "SchemaNameError",
    "SelectorError",
    "StaticCatalog",
    "Tenant",
    "TenantCatalog",
    "TenantKind",
    "UnknownSelectorError",
    "activate",
    "activation_listeners_changed",
    "configure_plugins",
    "deactivate",
    "describe",
    "enter_tenant",
    "get_current_tenant",
    "get_executors",
    "get_plugin_manager",
    "get_resolvers",
    "get_tenant_catalog",
    "hookimpl",
    "import_object",
    "is_valid_schema_name",
    "leave_tenant",
    "list_plugins",
    "quote_identifier",
    "quote_literal",
    "select_tenants",
    "tenant_context",
    "validate_schema_name",
]
