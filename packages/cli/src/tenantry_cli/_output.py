"""Output of a command run for one tenant, each line prefixed with that tenant's schema."""

from __future__ import annotations

import threading
from typing import IO, Any

__all__ = ["PrefixedStream"]

# One lock for every prefixed stream in the process: lines from parallel tenants never mix.
_lock = threading.Lock()


class PrefixedStream:
    """A text stream that writes whole lines to ``target`` as ``[prefix] line``.

    Partial lines wait for their end (or for ``flush``), so a command writing a line in
    pieces still gets one prefix.
    """

    def __init__(self, target: IO[str] | Any, prefix: str) -> None:
        self._target = target
        self._prefix = f"[{prefix}] "
        self._pending = ""

    def write(self, text: str) -> int:
        self._pending += text
        if "\n" in self._pending:
            *lines, self._pending = self._pending.split("\n")
            self._emit(lines)
        return len(text)

    def flush(self) -> None:
        if self._pending:
            lines, self._pending = [self._pending], ""
            self._emit(lines)

    def _emit(self, lines: list[str]) -> None:
        block = "".join(f"{self._prefix}{line}\n" for line in lines)
        with _lock:
            self._target.write(block)
            self._target.flush()

    def isatty(self) -> bool:
        return False  # no colour codes inside prefixed lines

    def writable(self) -> bool:
        return True
