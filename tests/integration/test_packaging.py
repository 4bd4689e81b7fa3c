"""The wheels we build install the way the README says, into an empty virtualenv."""

from __future__ import annotations

import json
import subprocess
import venv
import zipfile
from pathlib import Path

import pytest

PACKAGES = {
    "tenantry-core",
    "tenantry-django",
    "tenantry-channels",
    "tenantry-cache",
    "tenantry-cli",
}

pytestmark = pytest.mark.packaging


def test_one_wheel_per_distribution(wheels: Path):
    names = {path.name.split("-")[0].replace("_", "-") for path in wheels.glob("*.whl")}
    assert names == PACKAGES | {"tenantry"}


def test_every_package_wheel_ships_py_typed_and_its_entry_point(wheels: Path):
    for wheel in wheels.glob("tenantry_*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            files = archive.namelist()
            assert any(name.endswith("/py.typed") for name in files), wheel.name
            entry_points = next((n for n in files if n.endswith("entry_points.txt")), None)
            # Core registers no plugin of its own; cache and channels implement no hook.
            if wheel.name.startswith(("tenantry_core", "tenantry_cache", "tenantry_channels")):
                assert entry_points is None, wheel.name
            else:
                assert entry_points is not None, wheel.name
                assert "[tenantry]" in archive.read(entry_points).decode()


def test_the_cli_extra_installs_core_django_and_cli_only(wheels: Path, tmp_path: Path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--find-links",
            str(wheels),
            "tenantry[cli]==0.1.0",
        ],
        check=True,
        capture_output=True,
    )
    listing = subprocess.run(
        [python, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    installed = {item["name"].lower() for item in json.loads(listing)}
    assert {"tenantry", "tenantry-core", "tenantry-django", "tenantry-cli", "django"} <= installed
    assert not {"tenantry-channels", "tenantry-cache", "channels"} & installed

    probe = (
        "import json, tenantry, tenantry_django, tenantry_cli\n"
        "print(json.dumps([info.name for info in tenantry.list_plugins()]))\n"
    )
    plugins = subprocess.run(
        [python, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert json.loads(plugins) == ["cli", "django", "domain", "header", "session"]
