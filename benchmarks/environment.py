"""What a benchmark ran on, for its header; the peers' releases the benchmarks are set up for.

Every benchmark prints :func:`describe` first, so reports from different environments (the
peers' newest releases, the older ones, psycopg 3 or psycopg2) can sit side by side.

Each peer project is configured as its own documentation says for the installed release.
Where the supported releases differ, the settings and setup code branch on
:func:`peer_release`, one branch per release; a release not listed in ``SUPPORTED`` stops the
run, so a new release is read and configured before it is measured, never guessed at.
"""

from __future__ import annotations

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

SUPPORTED = {
    "django-tenants": ("3.14.0", "4.0.1"),
    "django-pgschemas": ("1.1.0", "1.3.2"),
}


def peer_release(peer: str) -> str:
    """The installed release of ``peer``, one of those the benchmarks are configured for."""
    installed = version(peer)
    if installed not in SUPPORTED[peer]:
        raise ImproperlyConfigured(
            f"{peer} {installed} is installed; the benchmarks are configured for "
            f"{', '.join(SUPPORTED[peer])} only (benchmarks/environment.py): read its changes "
            "and add a branch for it before measuring it"
        )
    return installed


def driver() -> str:
    """The PostgreSQL driver Django's backend uses (psycopg 3 whenever it is importable)."""
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:
        import psycopg

        return f"psycopg {psycopg.__version__} ({psycopg.pq.__impl__}, libpq {_libpq()})"
    import psycopg2

    return f"psycopg2 {psycopg2.__version__.split()[0]} (libpq {_libpq()})"


def _libpq() -> str:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if is_psycopg3:
        import psycopg

        number = psycopg.pq.version()
    else:
        import psycopg2.extensions

        number = psycopg2.extensions.libpq_version()
    return f"{number // 10000}.{number % 10000}"


def _installed(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


def describe(postgresql: str | None = None) -> str:
    """One line: Python, Django, the driver, the peers, tenantry (and the server's version)."""
    parts = [
        f"Python {platform.python_version()}",
        f"Django {_installed('django')}",
        f"driver {driver()}",
        *(f"{peer} {_installed(peer)}" for peer in SUPPORTED),
        f"tenantry-django {_installed('tenantry-django')}",
    ]
    if postgresql:
        parts.append(f"PostgreSQL {postgresql}")
    return "environment: " + ", ".join(parts)


BASELINE = "tenantry @ baseline"


def baseline_environment(checkout: Path, environment: dict[str, str]) -> dict[str, str]:
    """``environment`` for a process that imports tenantry from another checkout.

    ``--baseline DIR`` (a ``git worktree`` of an older commit) runs tenantry as it was there
    beside today's, in the same run, so a change is measured against what it replaced.
    Its ``packages/*/src`` (and the test plugins, which implement its hooks) go first on
    ``PYTHONPATH``, ahead of the editable installs.
    """
    root = checkout.resolve()
    sources = sorted(str(path) for path in root.glob("packages/*/src"))
    sources += sorted(str(path) for path in root.glob("tests/plugins/*") if path.is_dir())
    if not sources:
        raise SystemExit(f"--baseline {checkout}: no packages/*/src there")
    inherited = environment.get("PYTHONPATH")
    return {**environment, "PYTHONPATH": os.pathsep.join([*sources, *filter(None, [inherited])])}
