"""The tenantry demo: a multi-tenant site on an embedded PostgreSQL.

    hatch run demo:run [--port 8000] [--data-dir .demo]

Starts (or reuses) a PostgreSQL cluster kept in ``--data-dir``, migrates, creates a static
tenant on localhost, tenants on tenant1.localhost and tenant2.localhost and a subfolder tenant
on tenants.localhost/tenant3/, and serves them on 127.0.0.1 until Ctrl-C (or SIGTERM), which
stops the server and PostgreSQL and exits 0. Running it again reuses what exists; a second
demo on the same data, or on a port in use, says so in one line and exits 1. Browsers resolve
*.localhost to 127.0.0.1 by themselves. Tenants are found and activated through the public
``tenantry_django.tenants`` API.
"""

from __future__ import annotations

import argparse
import errno
import fcntl
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import IO, Any

from postgres_harness import PostgresServer, start_embedded_server

DATABASE = "tenantry_demo"
TENANTS = [  # schema, name, domain, folder, notes
    ("tenant1", "Tenant One", "tenant1.localhost", "", ["Ship the beta", "Call the bank"]),
    ("tenant2", "Tenant Two", "tenant2.localhost", "", ["Hire a designer"]),
    ("tenant3", "Tenant Three", "tenants.localhost", "tenant3", ["Lives in a subfolder"]),
]


class DemoError(Exception):
    """Why the demo cannot start, in one line for the terminal."""


class Stop(Exception):  # noqa: N818 - a request, not an error
    """Ctrl-C or SIGTERM: stop serving, stop PostgreSQL, exit 0."""


def set_up() -> None:
    """Migrate public, create and migrate the static tenant ``www``, create the dynamic
    tenants, and give each a few rows; what exists already is kept."""
    from django.core.management import call_command

    from sandbox.blog.models import Post
    from sandbox.customers.models import Domain, Tenant
    from sandbox.notes.models import Note
    from tenantry_django.migration import ensure_schema_migrated
    from tenantry_django.tenants import activate, get_tenant

    call_command("migrate", interactive=False, verbosity=0)
    ensure_schema_migrated(get_tenant("www"))
    with activate("www"):
        if not Post.objects.exists():
            Post.objects.create(title="Welcome to the main site", published=True)
    for schema, name, domain, folder, notes in TENANTS:
        tenant = Tenant.objects.filter(schema_name=schema).first()
        if tenant is None:
            tenant = Tenant(schema_name=schema, name=name)
            tenant.save()
        Domain.objects.get_or_create(tenant=tenant, domain=domain, folder=folder)
        with activate(schema):
            if not Note.objects.exists():
                Note.objects.bulk_create(Note(title=title) for title in notes)


def claim(data_dir: Path, port: int) -> IO[str]:
    """Lock ``data_dir`` for this demo (held until the process ends, also when killed) and
    note its port there; another demo on the same data is refused with that port."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / "demo.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        running = lock.read().strip() or "?"
        lock.close()
        raise DemoError(
            f"the demo is already running on port {running} (data in {data_dir}/): open "
            f"http://localhost:{running}/, or stop it with Ctrl-C where it runs"
        ) from None
    lock.seek(0)
    lock.truncate()
    lock.write(f"{port}\n")
    lock.flush()
    return lock


def listen(port: int) -> Any:
    """The HTTP server, bound now: a taken port fails before PostgreSQL starts."""
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    try:
        httpd = ThreadedWSGIServer(("127.0.0.1", port), WSGIRequestHandler)
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise
        raise DemoError(
            f"port {port} is already in use by another program: pass --port, e.g. --port {port + 1}"
        ) from None
    httpd.daemon_threads = True
    return httpd


def stop_on_signals() -> None:
    """SIGINT and SIGTERM end serving (or setting up) with :class:`Stop`, once: a second
    Ctrl-C while PostgreSQL shuts down is ignored rather than breaking the shutdown."""

    def stop(signum: int, frame: FrameType | None) -> None:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)
        raise Stop

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, stop)


def urls(port: int) -> list[str]:
    return [f"http://localhost:{port}/"] + [
        f"http://{domain}:{port}/{folder + '/' if folder else ''}"
        for _, _, domain, folder, _ in TENANTS
    ]


def stop_orphan(directory: Path) -> None:
    """Stop a PostgreSQL that a killed demo left running on ``directory`` (this demo holds
    the data's lock, so no live demo owns it); pg_ctl would refuse to start another."""
    pid_file = directory / "data" / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        os.kill(pid, 0)
    except (OSError, ValueError, IndexError):  # no server, or a stale file pg_ctl handles
        return
    print(f"Stopping the PostgreSQL a killed demo left running (pid {pid}).", flush=True)
    os.kill(pid, signal.SIGINT)  # PostgreSQL's fast shutdown
    deadline = time.monotonic() + 60
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)


def start_postgres(directory: Path) -> PostgresServer:
    stop_orphan(directory)
    try:
        return start_embedded_server(directory)
    except RuntimeError as error:  # pg_ctl's own words, and where the server's log is
        first = str(error).splitlines()[0]
        raise DemoError(f"PostgreSQL did not start ({first}); see {directory}/server.log") from None


def close_connections() -> None:
    from django.apps import apps

    if apps.ready:  # stopped before Django was set up: nothing is open
        from django.db import connections

        connections.close_all()


def serve(httpd: Any, server: PostgresServer, options: argparse.Namespace) -> None:
    server.create_database(DATABASE, exist_ok=True)
    os.environ["TENANTRY_SANDBOX_DATABASE_URL"] = server.url(DATABASE)
    os.environ["DJANGO_SETTINGS_MODULE"] = "sandbox.demo_settings"
    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    set_up()
    httpd.set_app(get_wsgi_application())
    print("tenantry demo is serving:", flush=True)
    for url in urls(options.port):
        print(f"  {url}", flush=True)
    print(
        f"Ctrl-C stops it (PostgreSQL data stays in {options.data_dir / 'postgres'}).",
        flush=True,
    )
    httpd.serve_forever()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", type=Path, default=Path(".demo"))
    options = parser.parse_args(argv)

    lock: IO[str] | None = None
    server: PostgresServer | None = None
    httpd: Any = None
    stop_on_signals()
    try:
        lock = claim(options.data_dir, options.port)
        httpd = listen(options.port)
        server = start_postgres(options.data_dir / "postgres")
        serve(httpd, server, options)
    except DemoError as error:
        print(f"tenantry demo: {error}", file=sys.stderr, flush=True)
        return 1
    except Stop:
        pass
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)  # nothing interrupts the shutdown
        if httpd is not None:
            httpd.server_close()
        if server is not None:
            close_connections()
            server.stop()
        if lock is not None:
            lock.close()
    print(f"tenantry demo stopped (PostgreSQL data kept in {options.data_dir / 'postgres'}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
