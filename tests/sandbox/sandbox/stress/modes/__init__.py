"""The stress modes, in the order they run; each is ``run(context, budget, tally) -> str``."""

from __future__ import annotations

from sandbox.stress.engine import Mode
from sandbox.stress.modes import asgi, moved, pooled, sockets, streaming, wsgi

MODES: dict[str, Mode] = {
    "wsgi": wsgi.run,
    "asgi": asgi.run,
    "channels": sockets.run,
    "streaming": streaming.run,
    "moved": moved.run,
    "pool": pooled.run_pool,
    "pgbouncer": pooled.run_pgbouncer,
}

__all__ = ["MODES"]
