"""The package's surface: what it exports, that it is no ``tenantry`` plugin (it implements
no hook), and that importing it needs no configured Django (as an ASGI module may, early)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import tenantry_channels

SCRIPT = """
import json, sys
import tenantry
import tenantry_channels
from tenantry_channels import TenantProtocolRouter, tenant_group_name
from django.apps import apps
from django.conf import settings
print(json.dumps({
    "configured": settings.configured,
    "apps_ready": apps.apps_ready,
    "plugins": [info.name for info in tenantry.list_plugins()],
}))
"""


def test_importing_the_package_needs_no_configured_django():
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    output = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True, env=environment
    ).stdout
    report = json.loads(output)
    assert report["configured"] is False
    assert report["apps_ready"] is False
    assert "channels" not in report["plugins"]


def test_every_export_is_there():
    for name in tenantry_channels.__all__:
        assert getattr(tenantry_channels, name) is not None
    assert tenantry_channels.CLOSE_CODE_NOT_FOUND == 4404


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Router'"):
        tenantry_channels.Router  # noqa: B018
