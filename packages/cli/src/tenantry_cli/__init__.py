"""tenantry management commands. Add ``"tenantry_cli"`` to ``INSTALLED_APPS``.

Commands: ``runschema``, ``migrate`` (public, then every selected schema, fast),
``whowill``, ``createrefschema``, ``cloneschema``, ``migrationstatus``. Base classes for your
own tenant-aware commands are exported here.

The exports load on first use (PEP 562): the package is imported whenever core loads the
``tenantry`` plugins, for the executors ``_plugin`` announces, also where Django is absent or
not configured; the command classes import Django's management framework.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tenantry_cli._commands import DynamicTenantCommand, StaticTenantCommand, TenantCommand
    from tenantry_cli._runner import Outcome

__all__ = ["DynamicTenantCommand", "Outcome", "StaticTenantCommand", "TenantCommand"]

_HOMES = {
    "DynamicTenantCommand": "tenantry_cli._commands",
    "StaticTenantCommand": "tenantry_cli._commands",
    "TenantCommand": "tenantry_cli._commands",
    "Outcome": "tenantry_cli._runner",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tenantry_cli' has no attribute {name!r}")
    return getattr(import_module(home), name)
