"""One project, one process: set up 20 tenants, then serve the one-query view on command.

    python -m benchmarks.request_overhead.worker LIBRARY [wsgi|http]  (run.py passes http)

Prints "ready", then answers lines on stdin: "run SCENARIO N" (prints requests/s),
"count SCENARIO" (prints statements per request over 1000 requests), "quit".

Transport "wsgi" (default) calls Django's WSGI handler in this process: no network, so the
per-request cost of the library under test is as visible as it can be. Transport "http" is
how a site is served: gunicorn (one worker, one thread, keep-alive) on 127.0.0.1 and one
persistent HTTP/1.1 connection from this process. Either way one persistent database
connection serves the requests and every response is checked against the tenant its host
names. Statements are counted on the server (pg_stat_statements) over a separate round of
in-process requests (the same code path; the transport does not change what is sent).
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from postgres_harness import free_port

from benchmarks import driver
from benchmarks.request_overhead.projects import set_up

SETTINGS = {
    "plain Django": "benchmarks.request_overhead.settings_plain",
    "plain Django, 20 schemas": "benchmarks.request_overhead.settings_plain_schemas",
    "tenantry": "benchmarks.request_overhead.settings_tenantry",
    "django-tenants": "benchmarks.request_overhead.settings_django_tenants",
    "django-pgschemas": "benchmarks.request_overhead.settings_pgschemas",
}


def make_client(expected: dict[str, str]) -> Callable[[str], None]:
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    application = WSGIHandler()
    base = RequestFactory()._base_environ(PATH_INFO="/", REQUEST_METHOD="GET")
    environs = {host: {**base, "HTTP_HOST": host, "SERVER_NAME": host} for host in expected}

    def start_response(status: str, headers: Any) -> None:
        if not status.startswith("200"):
            raise RuntimeError(f"status {status}")

    def request(host: str) -> None:
        response = application(dict(environs[host]), start_response)
        body = b"".join(response).decode()
        response.close()
        if body != expected[host]:
            raise RuntimeError(f"{host} answered {body!r}, not {expected[host]!r}")

    return request


def serve_http(port: int) -> subprocess.Popen[bytes]:
    """gunicorn serving this project on 127.0.0.1:``port`` (same settings, same database)."""
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--worker-class",
            "gthread",
            "--threads",
            "1",
            "--keep-alive",
            "300",
            "--log-level",
            "warning",
            "benchmarks.request_overhead.wsgi:application",
        ],
        env=os.environ.copy(),
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn stopped (exit {server.returncode})") from None
            time.sleep(0.1)
    server.kill()
    raise SystemExit("gunicorn did not start within 60 s")


def make_http_client(expected: dict[str, str], port: int) -> Callable[[str], None]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(host: str) -> None:
        connection.request("GET", "/", headers={"Host": host})
        response = connection.getresponse()
        body = response.read().decode()
        if response.status != 200:
            raise RuntimeError(f"{host}: status {response.status}")
        if body != expected[host]:
            raise RuntimeError(f"{host} answered {body!r}, not {expected[host]!r}")

    return request


def pin(connection: Any) -> None:
    """This process on one CPU, its PostgreSQL backend on another (best effort).

    On a 2-core machine the scheduler otherwise sometimes puts both on one core for the whole
    run, which skews one project's numbers by 20% or more; pinning makes every project equal.
    """
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    try:
        os.sched_setaffinity(0, {cpus[0]})
        os.sched_setaffinity(backend, {cpus[1]})
    except OSError:  # not permitted (PostgreSQL runs as another user): leave it to the OS
        os.sched_setaffinity(0, set(cpus))


def statements(monitor: driver.Connection, database: str) -> int:
    row = monitor.execute(
        "SELECT coalesce(sum(calls), 0)::int FROM pg_stat_statements s "
        "JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = %s",
        [database],
    ).fetchone()
    return int(row[0]) if row else 0


def track(connection: Any, level: str) -> None:
    # Timed rounds do not pay for the instrument; counting rounds switch it on. The GUC
    # is per session (superuser), set on the driver connection, beside whatever the
    # library under test does (a driver cursor: no library code runs for it).
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute(f"SET pg_stat_statements.track = '{level}'")


def serve_commands(
    scenarios: dict[str, list[str]],
    request: Callable[[str], None],
    in_process: Callable[[str], None],
    monitor: Any,
    connection: Any,
) -> None:
    """Answer run.py's commands on stdin: ``run SCENARIO N``, ``count SCENARIO``, ``quit``."""
    database = connection.settings_dict["NAME"]
    for line in sys.stdin:
        command, *arguments = line.split()
        if command == "quit":
            break
        cycle = scenarios[arguments[0]]
        # Between two of its rounds this process sits idle while the others run (longer than
        # a host cache lives): one untimed request per host first, as on a server that never
        # stops serving, where refreshing a host costs once per cache period, not per round.
        for host in cycle:
            request(host)
            in_process(host)
        if command == "run":
            count = int(arguments[1])
            started = time.perf_counter()
            for index in range(count):
                request(cycle[index % len(cycle)])
            print(count / (time.perf_counter() - started), flush=True)
        elif command == "count":
            track(connection, "all")
            monitor.execute("SELECT pg_stat_statements_reset()")
            for index in range(1000):
                in_process(cycle[index % len(cycle)])
            counted = statements(monitor, database)
            track(connection, "none")
            print(counted / 1000, flush=True)


def main() -> None:
    library = sys.argv[1]
    transport = sys.argv[2] if len(sys.argv) > 2 else "wsgi"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[library]
    import django

    django.setup()
    from django.db import connection

    expected = set_up(library)
    in_process = make_client(expected)
    monitor = driver.connect(os.environ["TENANTRY_BENCH_MONITOR_URL"])
    database = connection.settings_dict["NAME"]
    server = None
    if transport == "http":
        # The server's connection must not pay for the instrument either (see track()).
        monitor.execute(
            f"ALTER DATABASE {driver.quote_identifier(database)} "
            "SET pg_stat_statements.track = 'none'"
        )
        port = free_port()
        server = serve_http(port)
        request = make_http_client(expected, port)
    else:
        request = in_process
    hosts = sorted(expected)
    scenarios = {"one": [hosts[0]], "rotating": hosts}
    for scenario in scenarios.values():  # warm up: caches, the persistent connections
        for index in range(300):
            request(scenario[index % len(scenario)])
            in_process(scenario[index % len(scenario)])

    track(connection, "none")
    if server is None:  # over HTTP three processes share the CPUs: leave them to the OS
        pin(connection)
    print("ready", connection.Database.__name__, flush=True)  # the driver Django uses
    serve_commands(scenarios, request, in_process, monitor, connection)
    if server is not None:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
