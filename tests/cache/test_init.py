"""The package's surface: what it exports, that it is no ``tenantry`` plugin (it implements
no hook), and that importing it needs no configured Django (settings name its key function)."""

from __future__ import annotations

from sandbox.imports import assert_imports_without_django

import tenantry_cache


def test_importing_the_package_needs_no_configured_django():
    assert_imports_without_django("cache", "import tenantry_cache")


def test_every_export_is_there():
    for name in tenantry_cache.__all__:
        assert getattr(tenantry_cache, name) is not None
