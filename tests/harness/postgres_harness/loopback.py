"""Loopback helpers for servers the suites and benchmarks start: a free port, one GET."""

from __future__ import annotations

import http.client
import socket


def free_port() -> int:
    """A TCP port on 127.0.0.1 nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def http_get(port: int, host: str, path: str) -> tuple[int, str]:
    """GET ``path`` from 127.0.0.1:``port`` with ``Host: host:port``, as a browser would;
    the status and the decoded body, on a connection of its own."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": f"{host}:{port}"})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()
