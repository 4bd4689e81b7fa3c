"""A peer project copied into a temporary directory, on a database of its own, whose
``manage.py`` commands and scripts run in subprocesses (a settings module per phase)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECTS = Path(__file__).parent / "projects"


@dataclass
class PeerProject:
    root: Path  # the project's copy: its packages, the common apps and scripts
    database_url: str

    @classmethod
    def copy(cls, name: str, into: Path, database_url: str) -> PeerProject:
        root = into / name
        shutil.copytree(PROJECTS / name, root)
        shutil.copytree(PROJECTS / "common", root, dirs_exist_ok=True)
        return cls(root, database_url)

    def run(
        self, *args: str, settings: str, without_peers: bool = False, check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """``python -m ARGS`` in the project with ``settings``; neither peer importable when
        ``without_peers``. Fails the test with the output when it exits non-zero and
        ``check``."""
        environment = {
            **os.environ,
            "PYTHONPATH": str(self.root),
            "DJANGO_SETTINGS_MODULE": settings,
            "PEERS_DATABASE_URL": self.database_url,
        }
        command = [sys.executable, "-m", *(("without_peers",) if without_peers else ()), *args]
        result = subprocess.run(
            command, cwd=self.root, env=environment, capture_output=True, text=True, timeout=600
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} exited {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}"
            )
        return result

    def manage(self, *args: str, settings: str, without_peers: bool = False) -> str:
        return self.run("django", *args, settings=settings, without_peers=without_peers).stdout

    def probe(self, *targets: str, settings: str, without_peers: bool = False) -> Any:
        """What each ``host/path`` serves, and each schema's note count (probe.py)."""
        output = self.run("probe", *targets, settings=settings, without_peers=without_peers)
        return json.loads(output.stdout)

    def switch_models(self) -> None:
        """The guide's step 4: customers/models.py on tenantry's models, and the old
        migrations' reference to the peer's schema-name validator replaced."""
        shutil.copy(self.root / "after" / "models.py", self.root / "customers" / "models.py")
        for migration in (self.root / "customers" / "migrations").glob("0*.py"):
            text = migration.read_text()
            for old, new in VALIDATOR_REFERENCES:
                text = text.replace(old, new)
            migration.write_text(text)


#: How generated migrations name the peers' schema-name validators, and what replaces them.
VALIDATOR_REFERENCES = (
    ("import django_tenants.postgresql_backend.base", "import tenantry_django.models"),
    (
        "django_tenants.postgresql_backend.base._check_schema_name",
        "tenantry_django.models.validate_tenant_schema_name",
    ),
    ("import django_pgschemas.schema\n", ""),
    ("bases=(django_pgschemas.schema.Schema, models.Model)", "bases=(models.Model,)"),
    ("import django_pgschemas.utils", "import tenantry_django.models"),
    (
        "django_pgschemas.utils.check_schema_name_not_reserved",
        "tenantry_django.models.validate_tenant_schema_name",
    ),
)


def converted(output: str) -> dict[str, Any]:
    """The settings the converter printed, executed as Python after the original ones."""
    namespace: dict[str, Any] = {"DATABASES": {"default": {"ENGINE": "peer"}}}
    exec(output, namespace)
    namespace.pop("__builtins__")
    return namespace


def manual_steps(output: str) -> list[str]:
    """The ``# MANUAL:`` lines after their count line, without the prefix."""
    prefix = "# MANUAL: "
    marked = [line[len(prefix) :] for line in output.splitlines() if line.startswith(prefix)]
    return marked[1:]
