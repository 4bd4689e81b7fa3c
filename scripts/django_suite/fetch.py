"""Django's own test suite, from the sdist of the installed version, cached outside the repo.

Only the sdist carries ``tests/`` (wheels do not), and the suite must match the installed
Django exactly, or tests fail for reasons that have nothing to do with the backend.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

# The index's standard "simple" API (PEP 691, JSON form); a mirror can stand in for PyPI.
INDEX_URL = (
    os.environ.get("UV_INDEX_URL") or os.environ.get("PIP_INDEX_URL") or "https://pypi.org/simple"
)
JSON_SIMPLE = "application/vnd.pypi.simple.v1+json"


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "tenantry" / "django-suite"


def _sdist_url(version: str) -> tuple[str, str, str]:
    """(file name, url, sha256) of the version's sdist, from the index's project page."""
    page = INDEX_URL.rstrip("/") + "/django/"
    request = urllib.request.Request(page, headers={"Accept": JSON_SIMPLE})
    with urllib.request.urlopen(request, timeout=60) as response:
        project = json.load(response)
    wanted = {f"django-{version}.tar.gz", f"Django-{version}.tar.gz"}  # older sdists: "Django-"
    for entry in project["files"]:
        if entry["filename"] in wanted:
            url = urllib.parse.urljoin(page, entry["url"])
            return entry["filename"], url, entry["hashes"]["sha256"]
    raise RuntimeError(f"{page} lists no sdist for Django {version}")


def _download(version: str, directory: Path) -> Path:
    name, url, sha256 = _sdist_url(version)
    target = directory / name
    if target.exists() and hashlib.sha256(target.read_bytes()).hexdigest() == sha256:
        return target
    partial = target.with_suffix(".part")
    with urllib.request.urlopen(url, timeout=300) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out)
    if hashlib.sha256(partial.read_bytes()).hexdigest() != sha256:
        partial.unlink()
        raise RuntimeError(f"{name}: sha256 does not match PyPI's")
    partial.rename(target)
    return target


def _extract_tests(archive: Path, destination: Path) -> None:
    # Extract into a sibling directory and rename, so an interrupted run leaves no half tree
    # that a later run would take for a complete cache.
    staging = Path(tempfile.mkdtemp(prefix="tests-", dir=destination.parent))
    try:
        with tarfile.open(archive) as tar:
            members = []
            for member in tar.getmembers():
                _, _, rest = member.name.partition("/")  # drop "django-X/"
                if rest == "tests" or rest.startswith("tests/"):
                    member.name = rest
                    members.append(member)
            if not members:
                raise RuntimeError(f"{archive.name} has no tests/ directory")
            tar.extractall(staging, members=members, filter="data")
        (staging / "tests").rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def django_tests(version: str) -> Path:
    """The ``tests/`` directory of Django ``version``: from the cache, else downloaded."""
    directory = cache_root() / f"Django-{version}"
    tests = directory / "tests"
    if (tests / "runtests.py").exists():
        return tests
    directory.mkdir(parents=True, exist_ok=True)
    print(f"Downloading the Django {version} sdist into {directory}", flush=True)
    _extract_tests(_download(version, directory), tests)
    return tests
