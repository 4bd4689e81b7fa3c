"""The package's surface: what it exports, and that importing it (as core does when it
loads plugins) imports no Django."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tenantry_channels

SCRIPT = """
import sys
import tenantry_channels
from tenantry_channels import tenant_group_name
print(sorted(m for m in sys.modules if m == "django" or m.startswith("django.")))
"""


def test_importing_the_package_imports_no_django():
    output = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_every_export_is_there():
    for name in tenantry_channels.__all__:
        assert getattr(tenantry_channels, name) is not None
    assert tenantry_channels.CLOSE_CODE_NOT_FOUND == 4404


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Router'"):
        tenantry_channels.Router  # noqa: B018
