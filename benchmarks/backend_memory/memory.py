"""Snapshots of the server backend's memory and of this client process's.

The server is local (the embedded cluster), so the backend's RSS is read from
``/proc/<pg_backend_pid()>/status``; its memory contexts from ``pg_backend_memory_contexts``
(PostgreSQL 14+; ``path`` and a 1-based ``level``, used for subtree sums, are PostgreSQL 18).
"""

from __future__ import annotations

import resource
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

MIB = 1024 * 1024

# PostgreSQL 18 keeps catalog-cache entries (pg_class, pg_attribute, pg_statistic rows...)
# and relation descriptors (RelationData) in CacheMemoryContext itself, so this view cannot
# tell them apart; an index's descriptor adds an "index info" child context. The relcache's
# and the storage manager's hash tables are contexts of their own beside it. Subtree sums:
# a context is under another when the other's id is at the other's level of its path.
_CONTEXTS = """
    WITH contexts AS (SELECT name, level, path, total_bytes FROM pg_backend_memory_contexts),
    cache AS (SELECT level, path[level] AS id FROM contexts WHERE name = 'CacheMemoryContext')
    SELECT
        (SELECT sum(total_bytes) FROM contexts),
        (SELECT sum(c.total_bytes) FROM contexts c JOIN cache ON c.path[cache.level] = cache.id),
        (SELECT sum(total_bytes) FROM contexts WHERE name = 'CacheMemoryContext'),
        (SELECT sum(total_bytes) FROM contexts WHERE name = 'index info'),
        (SELECT count(*) FROM contexts WHERE name = 'index info'),
        (SELECT sum(total_bytes) FROM contexts
         WHERE name IN ('Relcache by OID', 'smgr relation table')),
        pg_backend_pid()
"""


@dataclass(frozen=True)
class Snapshot:
    """Memory after ``schemas`` distinct schemas (bytes; the backend's own, then the client's)."""

    schemas: int
    contexts: int  # every memory context of the backend
    cache: int  # CacheMemoryContext and everything under it
    cache_own: int  # CacheMemoryContext itself: catalog-cache entries and RelationData
    index_info: int  # the "index info" contexts under it
    index_infos: int  # how many: the indexes with a relcache entry
    hashes: int  # the relcache's and the storage manager's hash tables
    backend_rss: int  # VmRSS: includes the shared buffers this backend touched
    backend_anon: int  # RssAnon: the backend's private memory only
    client_rss: int  # this Python process, now

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _status_bytes(pid: int | str, *fields: str) -> list[int]:
    """``fields`` of ``/proc/<pid>/status`` in bytes (the kernel reports kB)."""
    values = dict.fromkeys(fields, 0)
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in values:
            values[key] = int(value.split()[0]) * 1024
    return list(values.values())


def snapshot(cursor: Any, schemas: int) -> Snapshot:
    """The backend behind ``cursor`` and this process, after ``schemas`` distinct schemas."""
    cursor.execute(_CONTEXTS)
    total, cache, cache_own, index_info, index_infos, hashes, pid = cursor.fetchone()
    rss, anon = _status_bytes(pid, "VmRSS", "RssAnon")
    (client,) = _status_bytes("self", "VmRSS")
    return Snapshot(
        schemas,
        int(total),
        int(cache),
        int(cache_own),
        int(index_info or 0),
        index_infos,
        int(hashes or 0),
        rss,
        anon,
        client,
    )


def client_peak_rss() -> int:
    """This process's peak RSS in bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
