"""Which URLconf serves a tenant: public API for other packages (e.g. ``tenantry_channels``).

``urlconf_for(tenant)`` is the dotted path of the tenant's ``URLCONF`` (``ROOT_URLCONF`` when it
names none). ``ws_urlconf_for(tenant)`` is its ``WS_URLCONF``; a static tenant or public without
one falls back to the dynamic tenants'; None when no websocket routes are configured.
"""

from tenantry_django._urlconf import urlconf_for, ws_urlconf_for

__all__ = ["urlconf_for", "ws_urlconf_for"]
