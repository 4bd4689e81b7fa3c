"""Helper processes the harness starts (redis-server, pgbouncer) and must leave no trace of."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def stop_process(process: subprocess.Popen[bytes] | None, directory: Path | None) -> None:
    """SIGTERM (both servers shut down at once on it), SIGKILL after 10 s; then remove the
    temporary directory the process ran in."""
    if process is not None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    if directory is not None:
        shutil.rmtree(directory, ignore_errors=True)
