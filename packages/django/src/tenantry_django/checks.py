"""tenantry's system checks: every configuration mistake is reported with an id and a fix.

Importing this module registers them all (the app config does, when Django is ready). Ids:

- ``tenantry.E001``-``E009``: the plugin settings (:func:`check_plugin_settings`).
- ``tenantry.E010``-``E029``, ``W003``-``W009``: ``TENANTS`` and the database setup
  (:func:`check_tenants`, :func:`check_clone_reference_is_no_dynamic_tenant`, and
  :func:`check_schema_names_in_database`, which runs with ``check --database``). A
  database tenants live in without tenantry's backend (``E023``) or ``DATABASE_ROUTERS``
  without its router (``E024``) are errors, and ``migrate`` and tenant creation refuse to
  run then (the retired warnings ``W001`` and ``W002`` said the same).
- ``tenantry.E030``-``E039``, ``W010``-``W019``: request routing (:func:`check_routing`).
- ``tenantry.E050``-``E059``: transaction pooling (:func:`check_transaction_pooling`).
- ``tenantry.E060``: ``TENANTRY_RECYCLE_AFTER_SCHEMAS`` (:func:`check_connection_recycling`).
- ``tenantry.E070``-``E079``: the spare-schema pool (:func:`check_spare_schemas`).

``tenantry_cache`` adds ``E040``-``E049`` and ``W040``-``W049`` for cache keys.
"""

from tenantry_django._plugin_checks import check_plugin_settings
from tenantry_django._pooling_checks import check_transaction_pooling
from tenantry_django._recycling_checks import check_connection_recycling
from tenantry_django._routing_checks import check_routing
from tenantry_django._spare_checks import check_spare_schemas
from tenantry_django._tenants_checks import (
    check_clone_reference_is_no_dynamic_tenant,
    check_schema_names_in_database,
    check_tenants,
)

__all__ = [
    "check_clone_reference_is_no_dynamic_tenant",
    "check_connection_recycling",
    "check_plugin_settings",
    "check_routing",
    "check_schema_names_in_database",
    "check_spare_schemas",
    "check_tenants",
    "check_transaction_pooling",
]
