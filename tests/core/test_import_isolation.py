from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
import tenantry
after_import = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
with tenantry.tenant_context(tenantry.SchemaDescriptor("acme")):
    pass
names = [info.name for info in tenantry.list_plugins()]
after_plugins = sorted(m for m in sys.modules if m == "django" or m.startswith("django."))
print(json.dumps({"import": after_import, "plugins": after_plugins, "names": names}))
"""


def test_core_never_imports_django():
    output = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True
    ).stdout
    report = json.loads(output)
    assert report["import"] == []
    # Loading every installed plugin (the Django one included) still imports no Django.
    assert "django" in report["names"]
    assert report["plugins"] == []
