"""The package's surface: what it exports, that it is no ``tenantry`` plugin (it implements
no hook), and that importing it needs no configured Django (as an ASGI module may, early)."""

from __future__ import annotations

import pytest
from sandbox.imports import assert_imports_without_django

import tenantry_channels


def test_importing_the_package_needs_no_configured_django():
    assert_imports_without_django(
        "channels",
        "import tenantry_channels",
        "from tenantry_channels import TenantProtocolRouter, tenant_group_name",
    )


def test_every_export_is_there():
    for name in tenantry_channels.__all__:
        assert getattr(tenantry_channels, name) is not None
    assert tenantry_channels.CLOSE_CODE_NOT_FOUND == 4404


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Router'"):
        tenantry_channels.Router  # noqa: B018
