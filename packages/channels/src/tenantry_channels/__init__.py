"""tenantry for Django Channels: tenant-aware websocket routing.

In the project's ASGI module::

    from tenantry_channels import TenantProtocolRouter

    application = TenantProtocolRouter()

and ``tenant_group_name("chat")`` for channel groups that stay inside one tenant.

The router loads on first use: this package is also the ``tenantry`` plugin entry point,
imported where Django may not be configured; the group helper imports no Django.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from tenantry_channels._groups import tenant_group_name

if TYPE_CHECKING:
    from tenantry_channels._router import CLOSE_CODE_NOT_FOUND, TenantProtocolRouter

__all__ = ["CLOSE_CODE_NOT_FOUND", "TenantProtocolRouter", "tenant_group_name"]

_HOMES = {
    "CLOSE_CODE_NOT_FOUND": "tenantry_channels._router",
    "TenantProtocolRouter": "tenantry_channels._router",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'tenantry_channels' has no attribute {name!r}")
    return getattr(import_module(home), name)
