"""Progress of a multi-schema run: a live rich display on a terminal, plain lines otherwise."""

from __future__ import annotations

import time
from typing import IO, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

__all__ = ["RunProgress"]


class RunProgress:
    """``done/total``, failures, rate and ETA while tenants finish.

    On a terminal a rich progress bar (on ``stream``); otherwise one plain line per finished
    tenant, so logs of CI runs and cron jobs stay readable. No stream: no progress.
    """

    def __init__(self, stream: IO[str] | Any, total: int, *, label: str = "schemas") -> None:
        self._stream = stream
        self._total = total
        self._done = 0
        self._failed = 0
        self._started = time.monotonic()
        self._live = total > 1 and bool(getattr(stream, "isatty", lambda: False)())
        self._progress: Progress | None = None
        self._task: Any = None
        self._label = label

    def __enter__(self) -> RunProgress:
        if self._live:
            self._progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("[red]{task.fields[failed]} failed"),
                TextColumn("{task.fields[rate]}"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(file=self._stream),
                transient=False,
            )
            self._progress.__enter__()
            self._task = self._progress.add_task(self._label, total=self._total, failed=0, rate="")
        return self

    def advance(self, schema: str, ok: bool, detail: str = "") -> None:
        self._done += 1
        self._failed += 0 if ok else 1
        elapsed = max(time.monotonic() - self._started, 1e-9)
        rate = f"{self._done / elapsed:.1f}/s"
        if self._progress is not None:
            self._progress.update(self._task, advance=1, failed=self._failed, rate=rate)
            return
        if self._total > 1 and self._stream is not None:
            state = "ok" if ok else "FAILED"
            remaining = (self._total - self._done) * elapsed / self._done
            self._stream.write(
                f"{self._done}/{self._total} {schema}: {state}{f' ({detail})' if detail else ''}"
                f" | {self._failed} failed, {rate}, ETA {remaining:.0f}s\n"
            )
            self._stream.flush()

    def __exit__(self, *exc_info: Any) -> None:
        if self._progress is not None:
            self._progress.__exit__(*exc_info)
