"""``python -m without_peers MODULE ARGS...``: run MODULE as ``__main__`` with neither peer
importable, proving the converted project needs neither django-tenants nor django-pgschemas."""

import importlib.abc
import runpy
import sys

PEERS = ("django_tenants", "django_pgschemas")


class _Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in PEERS:
            raise ImportError(f"{name} must not be needed once the project runs on tenantry")
        return None


sys.meta_path.insert(0, _Refuse())
module = sys.argv[1]
sys.argv = [module, *sys.argv[2:]]
runpy.run_module(module, run_name="__main__", alter_sys=True)
