"""``hatch run stress``: see ``--help`` and this package's ``__init__``."""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid

from postgres_harness import SERVER_URL_VARIABLE, PostgresServer, start_embedded_server
from postgres_harness.server import server_from_url

from sandbox.stress.conf import SETTINGS_MODULE
from sandbox.stress.engine import HEADER, Options
from sandbox.stress.modes import MODES


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="hatch run stress",
        description="Isolation stress: many tenants, each mode's workers at once, every "
        "operation checked against its tenant's marker row and current_schema(). Exits 1 "
        "on any leak or error.",
    )
    parser.add_argument("--tenants", type=int, default=120, help="tenants to create (120)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per mode (10)")
    parser.add_argument("--operations", type=int, help="per mode, at most (no limit)")
    parser.add_argument(
        "--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}"
    )
    parser.add_argument("--threads", type=int, default=16, help="wsgi, moved, pool workers")
    parser.add_argument("--tasks", type=int, default=64, help="asgi tasks")
    parser.add_argument("--sockets", type=int, default=32, help="concurrent websockets")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--inject-leaks",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="self-test: misdirect this share of operations behind tenantry's back (the run "
        "must then report leaks)",
    )
    options = parser.parse_args(argv)
    unknown = set(options.modes.split(",")) - set(MODES)
    if unknown:
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}; known: {', '.join(MODES)}")
    return options


def main(argv: list[str] | None = None) -> int:
    arguments = _arguments(argv)
    options = Options(
        seconds=arguments.seconds,
        operations=arguments.operations,
        threads=arguments.threads,
        tasks=arguments.tasks,
        sockets=arguments.sockets,
        sabotage=arguments.inject_leaks,
        seed=arguments.seed,
    )
    url = os.environ.get(SERVER_URL_VARIABLE)
    server = server_from_url(url) if url else start_embedded_server()
    database = f"tenantry_stress_{uuid.uuid4().hex[:8]}"
    try:
        server.create_database(database)
        os.environ["TENANTRY_SANDBOX_DATABASE_URL"] = server.url(database)
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        return _run(server, database, arguments, options)
    finally:
        from django.db import connections

        connections.close_all()
        server.drop_database(database)
        server.stop()


def _run(
    server: PostgresServer, database: str, arguments: argparse.Namespace, options: Options
) -> int:
    import django
    from django.core.management import call_command

    django.setup()
    from sandbox.stress import Context, exit_status, format_line, format_total, run_mode
    from sandbox.stress.modes.sockets import launch
    from sandbox.stress.tenants import create_sites

    call_command("migrate", interactive=False, verbosity=0)
    names = arguments.modes.split(",")
    context = Context([], options, server, server.url(database))
    results = []
    try:
        if "channels" in names:
            launch(context)  # uvicorn sets Django up while the tenants are created
        started = time.monotonic()
        context.sites = create_sites(arguments.tenants)
        budget = f"{options.seconds:g} s" + (
            f" or {options.operations} operations" if options.operations else ""
        )
        injected = f", injecting leaks into {options.sabotage:.0%} of operations"
        print(
            f"tenantry isolation stress: {len(context.sites)} tenants (created in "
            f"{time.monotonic() - started:.1f} s), up to {budget} per mode"
            + (injected if options.sabotage else ""),
            flush=True,
        )
        print(HEADER, flush=True)
        for name in names:
            result = run_mode(name, MODES[name], context)
            results.append(result)
            print(format_line(result), flush=True)
    finally:
        context.close()
    print(format_total(results), flush=True)
    return exit_status(results)


if __name__ == "__main__":
    sys.exit(main())
