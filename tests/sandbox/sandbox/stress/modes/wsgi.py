"""WSGI: threads calling Django's WSGI handler (middleware, signals, response close) with the
hosts of random tenants. Half the threads keep their database connection across requests
(``CONN_MAX_AGE = None``, as a threaded server with persistent connections), half open one
per request (Django's default)."""

from __future__ import annotations

import json

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections

from sandbox.stress.engine import Budget, Context, Tally, operation, run_threads
from sandbox.stress.modes.handlers import query, wsgi_get
from sandbox.stress.probe import answer_leak


def own_connection(**overrides: object) -> None:
    """Give this thread a ``default`` connection of its own with ``overrides``."""
    default = connections["default"]
    connections["default"] = type(default)({**default.settings_dict, **overrides}, "default")


def run(context: Context, budget: Budget, tally: Tally) -> str:
    handler = WSGIHandler()
    threads = context.options.threads

    def work(index: int) -> None:
        rng = context.rng(index)
        own_connection(CONN_MAX_AGE=None if index % 2 else 0)
        try:
            while budget.take():
                site = rng.choice(context.sites)
                sabotage = context.sabotage(rng, site)
                what = f"GET {site.host}{site.path('stress/probe/')}"
                with operation(tally, what):
                    status, body = wsgi_get(
                        handler,
                        site.host,
                        site.path("stress/probe/"),
                        query(rng.random() < 0.5, sabotage),
                    )
                    if status != 200:
                        tally.error(what, f"status {status}: {body[:200]!r}")
                    else:
                        tally.record(what, answer_leak(site.schema, json.loads(body)))
        finally:
            connections.close_all()

    run_threads(threads, work)
    return f"{threads} threads"
