"""The page a host no tenant serves gets (unless ``TENANTRY_UNKNOWN_HOST_VIEW`` names a view).

It names the host, escaped, and says how to serve a tenant there, in production too (where
Django's own 404 page would show neither). It names no other host or tenant.
"""

from __future__ import annotations

from django.http import HttpResponseNotFound
from django.utils.html import format_html

__all__ = ["unknown_host_response"]

_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Not Found: no tenant at {host}</title></head>
<body>
<h1>Not Found</h1>
<p>No tenant is served at <code>{host}</code>.</p>
<p>To serve a tenant at this host, add a domain row for it (the model named by
<code>TENANTS["default"]["DOMAIN_MODEL"]</code>), or list it in a static tenant's
<code>DOMAINS</code> in <code>settings.TENANTS</code>.</p>
</body>
</html>
"""


def unknown_host_response(host: str) -> HttpResponseNotFound:
    """A 404 naming ``host`` (as ``request.get_host()`` gave it, port included)."""
    return HttpResponseNotFound(format_html(_PAGE, host=host))
