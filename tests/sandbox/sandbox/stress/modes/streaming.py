"""Streaming responses: the content is produced after the view returned, while the server
iterates the response. WSGI threads request a view streaming from a generator, and asyncio
tasks request one streaming from an async generator through the ASGI handler, at once."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from sandbox.stress.engine import Budget, Context, Tally, operation, run_threads
from sandbox.stress.modes.handlers import asgi_get, query, wsgi_get
from sandbox.stress.modes.wsgi import own_connection
from sandbox.stress.probe import answer_leak
from sandbox.stress.tenants import Site


def _check(tally: Tally, what: str, site: Site, status: int, body: bytes) -> None:
    if status != 200:
        tally.error(what, f"status {status}: {body[:200]!r}")
    else:
        tally.record(what, answer_leak(site.schema, json.loads(body)))


def run(context: Context, budget: Budget, tally: Tally) -> str:
    handler, application = WSGIHandler(), get_asgi_application()
    threads, tasks = max(1, context.options.threads // 2), max(1, context.options.tasks // 4)

    def wsgi_thread(index: int) -> None:
        rng = context.rng(index)
        own_connection(CONN_MAX_AGE=None if index % 2 else 0)
        try:
            while budget.take():
                site = rng.choice(context.sites)
                path = site.path("stress/stream/")
                with operation(tally, f"WSGI {site.host}{path}"):
                    arguments = query(rng.random() < 0.5, context.sabotage(rng, site))
                    status, body = wsgi_get(handler, site.host, path, arguments)
                    _check(tally, f"WSGI {site.host}{path}", site, status, body)
        finally:
            connections.close_all()

    async def task(index: int) -> None:
        rng = context.rng(10_000 + index)
        while budget.take():
            site = rng.choice(context.sites)
            path = site.path("stress/async-stream/")
            with operation(tally, f"ASGI {site.host}{path}"):
                arguments = query(rng.random() < 0.5, context.sabotage(rng, site))
                status, body = await asgi_get(application, site.host, path, arguments)
                _check(tally, f"ASGI {site.host}{path}", site, status, body)

    async def tasks_main() -> None:
        try:
            await asyncio.gather(*(task(index) for index in range(tasks)))
        finally:
            await sync_to_async(connections.close_all)()

    def work(index: int) -> Any:
        if index < threads:
            return wsgi_thread(index)
        return asyncio.run(tasks_main())  # the last thread runs the event loop

    run_threads(threads + 1, work)
    return f"{threads} WSGI threads + {tasks} ASGI tasks"
