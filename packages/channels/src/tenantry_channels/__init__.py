"""tenantry for Django Channels: tenant-aware websocket routing.

In the project's ASGI module::

    from tenantry_channels import TenantProtocolRouter

    application = TenantProtocolRouter()

and ``tenant_group_name("chat")`` for channel groups that stay inside one tenant.
"""

from tenantry_channels._groups import tenant_group_name
from tenantry_channels._router import CLOSE_CODE_NOT_FOUND, TenantProtocolRouter

__all__ = ["CLOSE_CODE_NOT_FOUND", "TenantProtocolRouter", "tenant_group_name"]
