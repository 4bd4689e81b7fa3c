"""The tenantry demo: a multi-tenant site on an embedded PostgreSQL.

    hatch run demo:run [--port 8000] [--data-dir .demo]

Starts (or reuses) a PostgreSQL cluster kept in ``--data-dir``, migrates, creates a static
tenant on localhost, tenants on tenant1.localhost and tenant2.localhost and a subfolder tenant
on tenants.localhost/tenant3/, and serves them on 127.0.0.1 until Ctrl-C. Running it again
reuses what exists. Browsers resolve *.localhost to 127.0.0.1 by themselves.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Any

from postgres_harness import start_embedded_server

DATABASE = "tenantry_demo"
TENANTS = [  # schema, name, domain, folder, notes
    ("tenant1", "Tenant One", "tenant1.localhost", "", ["Ship the beta", "Call the bank"]),
    ("tenant2", "Tenant Two", "tenant2.localhost", "", ["Hire a designer"]),
    ("tenant3", "Tenant Three", "tenants.localhost", "tenant3", ["Lives in a subfolder"]),
]


def set_up() -> None:
    from django.core.management import call_command

    from sandbox.blog.models import Post
    from sandbox.customers.models import Domain, Tenant
    from sandbox.notes.models import Note
    from tenantry import tenant_context
    from tenantry_django.conf import get_settings
    from tenantry_django.migration import migrate_schema
    from tenantry_django.schemas import create_schema, schema_exists

    call_command("migrate", interactive=False, verbosity=0)
    www = get_settings().tenants.statics["www"].descriptor
    if not schema_exists(www.schema_name, www.database):
        create_schema(www.schema_name, www.database)
    migrate_schema(www, skip_if_current=True)
    with tenant_context(www):
        if not Post.objects.exists():
            Post.objects.create(title="Welcome to the main site", published=True)
    for schema, name, domain, folder, notes in TENANTS:
        tenant = Tenant.objects.filter(schema_name=schema).first()
        if tenant is None:
            tenant = Tenant(schema_name=schema, name=name)
            tenant.save()
        Domain.objects.get_or_create(tenant=tenant, domain=domain, folder=folder)
        with tenant_context(tenant):
            if not Note.objects.exists():
                Note.objects.bulk_create(Note(title=title) for title in notes)


def urls(port: int) -> list[str]:
    return [f"http://localhost:{port}/"] + [
        f"http://{domain}:{port}/{folder + '/' if folder else ''}"
        for _, _, domain, folder, _ in TENANTS
    ]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--data-dir", type=Path, default=Path(".demo"))
    options = parser.parse_args(argv)

    server = start_embedded_server(options.data_dir / "postgres")

    def stop(*_: Any) -> None:
        server.stop()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    try:
        server.create_database(DATABASE, exist_ok=True)
        os.environ["TENANTRY_SANDBOX_DATABASE_URL"] = server.url(DATABASE)
        os.environ["DJANGO_SETTINGS_MODULE"] = "sandbox.demo_settings"
        import django
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application

        django.setup()
        set_up()
        httpd = ThreadedWSGIServer(("127.0.0.1", options.port), WSGIRequestHandler)
        httpd.daemon_threads = True
        httpd.set_app(get_wsgi_application())
        print("tenantry demo is serving:", flush=True)
        for url in urls(options.port):
            print(f"  {url}", flush=True)
        print(
            f"Ctrl-C stops it (PostgreSQL data stays in {options.data_dir / 'postgres'}).",
            flush=True,
        )
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
