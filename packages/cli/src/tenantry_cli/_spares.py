"""How the spare-schema pool is shown by ``migrate`` and ``spares``."""

from __future__ import annotations

from tenantry_django.spares import PoolReport

__all__ = ["describe_pool"]


def _count(names: list[str] | list[tuple[str, str]], what: str) -> str | None:
    return f"{len(names)} {what}" if names else None


def describe_pool(report: PoolReport) -> str:
    """``database 'default': 5 of 5 current (2 created, 1 migrated)``."""
    done = [
        part
        for part in (
            _count(report.created, "created"),
            _count(report.migrated, "migrated"),
            _count(report.dropped, "dropped"),
            _count(report.failed, "failed"),
        )
        if part
    ]
    line = f"database {report.database!r}: {report.current} of {report.size} current"
    return f"{line} ({', '.join(done)})" if done else line
