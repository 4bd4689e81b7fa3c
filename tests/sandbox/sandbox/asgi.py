"""The sandbox's ASGI application: ``uvicorn sandbox.asgi:application``."""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sandbox.settings")

from tenantry_channels import TenantProtocolRouter

application = TenantProtocolRouter()
