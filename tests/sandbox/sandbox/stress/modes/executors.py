"""A thread pool for ``sync_to_async(thread_sensitive=False)`` whose threads' database
connections are closed at the end, each by its own thread (Django allows nothing else)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


class ClosingExecutor(ThreadPoolExecutor):
    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers, thread_name_prefix="stress-sync")
        self.workers = workers

    def close(self) -> None:
        # As many tasks as threads, each waiting for the others: every thread runs one.
        everyone = threading.Barrier(self.workers, timeout=60)

        def close_mine() -> None:
            everyone.wait()
            connections.close_all()

        for future in [self.submit(close_mine) for _ in range(self.workers)]:
            future.result()
        self.shutdown()
