"""Build one wheel per distribution (the five packages and the meta ``tenantry``) into a folder.

    hatch run dist:build [OUTDIR]        (default: dist/)

Uses the ``build`` front end without isolation, so hatchling must be installed alongside.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = [
    ROOT / "packages" / "core",
    ROOT / "packages" / "django",
    ROOT / "packages" / "channels",
    ROOT / "packages" / "cache",
    ROOT / "packages" / "cli",
    ROOT,  # the code-free meta distribution "tenantry"
]


def build_wheels(outdir: Path) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.glob("*.whl"))
    for project in PROJECTS:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "build",
                "--wheel",
                "--no-isolation",
                "--outdir",
                str(outdir),
                str(project),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return sorted(set(outdir.glob("*.whl")) - before) or sorted(outdir.glob("*.whl"))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist"
    for wheel in build_wheels(target):
        print(wheel.relative_to(target.parent) if wheel.is_relative_to(target.parent) else wheel)
