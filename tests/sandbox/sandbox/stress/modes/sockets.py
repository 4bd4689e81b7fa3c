"""Channels: websockets to ``TenantProtocolRouter`` served by a real uvicorn process (the
stress settings, the same database), from concurrent clients in one event loop. Each client
opens a socket to a random tenant's host (async or sync consumer in turn), sends a few probe
messages one after the other, closes it and moves on; every answer is one operation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from postgres_harness import free_port
from websockets.asyncio.client import connect

from sandbox.stress.conf import SETTINGS_MODULE
from sandbox.stress.engine import Budget, Context, Tally, operation
from sandbox.stress.probe import answer_leak

STARTUP_SECONDS = 60.0
ANSWER_SECONDS = 30.0
CONSUMERS = ("ws/stress/", "ws/stress-sync/")  # async (database_sync_to_async) and sync


class AsgiServer:
    """``uvicorn sandbox.asgi:application`` with the stress settings, on 127.0.0.1."""

    def __init__(self, database_url: str) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="tenantry-stress-uvicorn-"))
        self.log_path = self.directory / "server.log"
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "TENANTRY_SANDBOX_DATABASE_URL": database_url,
        }
        command = [sys.executable, "-m", "uvicorn", "sandbox.asgi:application"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--lifespan", "on"]
        command += ["--log-level", "warning", "--no-access-log"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, env=environment
            )
        self.listening = False

    def wait(self) -> None:
        """Return once the server listens (with lifespan on: once Django is set up)."""
        if self.listening:
            return
        try:
            self._wait_for_port()
        except BaseException:
            self.stop()
            raise
        self.listening = True

    def _wait_for_port(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}:\n{self.log()}")
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            time.sleep(0.1)
        raise RuntimeError(f"uvicorn did not listen within {STARTUP_SECONDS} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.directory.rmdir()


def launch(context: Context) -> AsgiServer:
    """Start the context's uvicorn (once; it is stopped when the context closes) without
    waiting for it: callers may prepare other things meanwhile."""
    found = context.servers.get("uvicorn")
    if found is None:
        found = context.servers["uvicorn"] = AsgiServer(context.database_url)
        context.on_close(found.stop)
    return found


def asgi_server(context: Context) -> AsgiServer:
    server = launch(context)
    server.wait()
    return server


def run(context: Context, budget: Budget, tally: Tally) -> str:
    asgi = asgi_server(context)
    seen_log = len(asgi.log())
    sockets = context.options.sockets

    async def client(index: int) -> None:
        rng = context.rng(index)
        turn = index
        while budget.take():
            site = rng.choice(context.sites)
            path = site.path(CONSUMERS[turn % len(CONSUMERS)])
            turn += 1
            uri = f"ws://{site.host}:{asgi.port}{path}"
            what = f"websocket {site.host}{path}"
            first = True
            with operation(tally, what):
                async with connect(
                    uri, host="127.0.0.1", port=asgi.port, proxy=None, open_timeout=ANSWER_SECONDS
                ) as websocket:
                    for _ in range(rng.randint(2, 8)):
                        if not first and not budget.take():
                            break
                        first = False
                        atomic, sabotage = rng.random() < 0.5, context.sabotage(rng, site)
                        message = {"atomic": atomic, "sabotage": sabotage}
                        await websocket.send(json.dumps(message))
                        answer = json.loads(
                            await asyncio.wait_for(websocket.recv(), ANSWER_SECONDS)
                        )
                        tally.record(what, answer_leak(site.schema, answer))

    async def main() -> None:
        await asyncio.gather(*(client(index) for index in range(sockets)))

    asyncio.run(main())
    log = asgi.log()[seen_log:].strip()
    if "Traceback" in log or "ERROR" in log:
        tally.error("uvicorn", log[-2000:])
    return f"{sockets} websockets, 1 uvicorn process"
