"""What importing a package does in a fresh interpreter where Django is not configured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

__all__ = ["assert_imports_without_django", "import_in_a_fresh_interpreter"]

_REPORT = """
import json
import tenantry
from django.apps import apps
from django.conf import settings
print(json.dumps({
    "configured": settings.configured,
    "apps_ready": apps.apps_ready,
    "plugins": [info.name for info in tenantry.list_plugins()],
}))
"""


def import_in_a_fresh_interpreter(*statements: str) -> dict[str, Any]:
    """Run the import ``statements`` without ``DJANGO_SETTINGS_MODULE``; report whether
    Django got configured or its apps loaded, and which tenantry plugins were found."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    script = "\n".join(statements) + _REPORT
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    ).stdout
    report: dict[str, Any] = json.loads(output)
    return report


def assert_imports_without_django(plugin_name: str, *statements: str) -> None:
    """The import ``statements`` neither configure Django nor load its apps, and the package
    is not among tenantry's plugins (``plugin_name``: the name it would have)."""
    report = import_in_a_fresh_interpreter(*statements)
    assert report["configured"] is False
    assert report["apps_ready"] is False
    assert plugin_name not in report["plugins"]
