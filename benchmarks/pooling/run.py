"""What transaction pooling costs: tenantry direct, behind pgbouncer in session mode, and
behind pgbouncer in transaction mode with ``TENANTRY_TRANSACTION_POOLING``, against plain
Django (the stock backend, schema-qualified table names) on the same paths.

    hatch run bench:pooling [--units N] [--rounds R] [--tenants T]

One embedded PostgreSQL, one real pgbouncer per mode (pool of 4), 20 tenant schemas each with
a table of 100 rows. A unit of work is what a request does: activate a tenant, two reads in
autocommit, then a transaction with an update and a read. "one tenant" repeats one tenant;
"rotating" cycles over all of them. Configurations take turns within each round (rotating
order), and the median of the rounds is printed as µs per unit and as ratios, under a header
naming the environment (Python, Django, driver). Every unit checks that its first read came
from its own tenant's table (the rows name their schema).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import django
from django.conf import settings
from postgres_harness import PgBouncer, start_embedded_server, start_pgbouncer

from benchmarks.environment import describe

DATABASE = "bench_pooling"

#: (label, path, engine, pooled setting, schema-qualified names)
Configuration = tuple[str, str, str, bool, bool]
CONFIGURATIONS: list[Configuration] = [
    ("plain Django, direct", "direct", "stock", False, True),
    ("tenantry, direct", "direct", "tenantry", False, False),
    ("plain Django, pgbouncer session", "pgbouncer session", "stock", False, True),
    ("tenantry, pgbouncer session", "pgbouncer session", "tenantry", False, False),
    ("plain Django, pgbouncer transaction", "pgbouncer transaction", "stock", False, True),
    (
        "tenantry, pgbouncer transaction (TENANTRY_TRANSACTION_POOLING)",
        "pgbouncer transaction",
        "tenantry",
        True,
        False,
    ),
]


def _configure(server: Any) -> None:
    settings.configure(
        USE_TZ=True,
        INSTALLED_APPS=[],
        DATABASES={"default": _settings(server.host, server.port, server.user, "stock")},
    )
    django.setup()


def _settings(host: str, port: int, user: str, engine: str) -> dict[str, Any]:
    return {
        "ENGINE": (
            "django.db.backends.postgresql" if engine == "stock" else "tenantry_django.postgresql"
        ),
        "NAME": DATABASE,
        "USER": user,
        "PASSWORD": "",
        "HOST": host,
        "PORT": str(port),
        "DISABLE_SERVER_SIDE_CURSORS": True,
    }


def _prepare(server: Any, tenants: int) -> list[str]:
    server.create_database(DATABASE, exist_ok=True)
    schemas = [f"t{index:02d}" for index in range(tenants)]
    with server.connect(DATABASE) as connection:
        for schema in schemas:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.execute(f"CREATE SCHEMA {schema}")
            connection.execute(f"CREATE TABLE {schema}.item (id serial PRIMARY KEY, name text)")
            connection.execute(
                f"INSERT INTO {schema}.item (name) "
                f"SELECT '{schema}-' || i FROM generate_series(1, 100) i"
            )
    return schemas


def _wrapper(settings_dict: dict[str, Any], pooled: bool) -> Any:
    from django.db import connections
    from django.db.backends.postgresql.base import DatabaseWrapper as StockWrapper
    from django.test import override_settings

    from tenantry_django.postgresql.base import DatabaseWrapper as TenantWrapper

    settings_dict = connections.configure_settings({"default": settings_dict})["default"]
    tenantry = settings_dict["ENGINE"] == "tenantry_django.postgresql"
    wrapper = (TenantWrapper if tenantry else StockWrapper)(settings_dict, "default")
    with override_settings(TENANTRY_TRANSACTION_POOLING=pooled):
        wrapper.ensure_connection()  # the mode is read when the connection opens
    return wrapper


def _unit(wrapper: Any, schema: str, qualified: bool) -> None:
    from tenantry import SchemaDescriptor, tenant_context

    table = f'"{schema}".item' if qualified else "item"
    with tenant_context(SchemaDescriptor(schema)), wrapper.cursor() as cursor:
        cursor.execute(f"SELECT name FROM {table} WHERE id = %s", [7])
        if cursor.fetchall() != [(f"{schema}-7",)]:
            raise RuntimeError(f"a unit for {schema} did not read {schema}'s table")
        cursor.execute(f"SELECT id, name FROM {table} WHERE id BETWEEN %s AND %s", [10, 19])
        cursor.fetchall()
        wrapper.set_autocommit(False)
        try:  # a write that leaves the table as it was, so rounds stay comparable
            cursor.execute(f"UPDATE {table} SET name = name WHERE id = %s RETURNING id", [3])
            (row_id,) = cursor.fetchone()
            cursor.execute(f"SELECT name FROM {table} WHERE id = %s", [row_id])
            cursor.fetchall()
            wrapper.commit()
        finally:
            wrapper.set_autocommit(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=400, help="units of work per round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--tenants", type=int, default=20)
    options = parser.parse_args()

    server = start_embedded_server()
    bouncers: list[PgBouncer] = []
    try:
        _configure(server)
        with server.connect() as admin:
            row = admin.execute("SHOW server_version").fetchone()
        print(describe(row[0] if row else None), flush=True)
        schemas = _prepare(server, options.tenants)
        session = start_pgbouncer(server, "session", pool_size=4)
        transaction = start_pgbouncer(server, "transaction", pool_size=4)
        bouncers += [session, transaction]
        paths = {
            "direct": (server.host, server.port),
            "pgbouncer session": (session.host, session.port),
            "pgbouncer transaction": (transaction.host, transaction.port),
        }
        wrappers = {
            label: _wrapper(_settings(*paths[path], server.user, engine), pooled)
            for label, path, engine, pooled, _ in CONFIGURATIONS
        }
        scenarios: dict[str, Callable[[int], str]] = {
            "one tenant": lambda index: schemas[0],
            "rotating": lambda index: schemas[index % len(schemas)],
        }
        results = _measure(wrappers, scenarios, options)
        for wrapper in wrappers.values():
            wrapper.close()
        _report(results, CONFIGURATIONS, list(scenarios), options)
    finally:
        for bouncer in bouncers:
            bouncer.stop()
        server.stop()


def _measure(
    wrappers: dict[str, Any],
    scenarios: dict[str, Callable[[int], str]],
    options: argparse.Namespace,
) -> dict[tuple[str, str], list[float]]:
    """µs per unit for each (configuration label, scenario), one entry per measured round."""
    results: dict[tuple[str, str], list[float]] = {}
    for round_index in range(options.rounds + 1):  # round 0 warms up
        order = CONFIGURATIONS[round_index % len(CONFIGURATIONS) :]
        order += CONFIGURATIONS[: round_index % len(CONFIGURATIONS)]
        for scenario, pick in scenarios.items():
            for label, _path, _engine, _pooled, qualified in order:
                wrapper = wrappers[label]
                started = time.perf_counter()
                for index in range(options.units):
                    _unit(wrapper, pick(index), qualified)
                elapsed = time.perf_counter() - started
                if round_index:
                    results.setdefault((label, scenario), []).append(elapsed / options.units * 1e6)
    return results


def _report(
    results: dict[tuple[str, str], list[float]],
    configurations: list[Configuration],
    scenarios: list[str],
    options: argparse.Namespace,
) -> None:
    print(
        f"\nµs per unit of work (2 reads in autocommit + a transaction with an update and a "
        f"read), median of {options.rounds} rounds x {options.units} units, "
        f"{options.tenants} tenants\n"
    )
    floor = {
        "direct": "plain Django, direct",
        "pgbouncer session": "plain Django, pgbouncer session",
        "pgbouncer transaction": "plain Django, pgbouncer transaction",
    }
    header = f"{'configuration':<64}" + "".join(f"{s:>14}{'vs plain':>10}" for s in scenarios)
    print(header)
    for label, path, _engine, _pooled, _qualified in configurations:
        line = f"{label:<64}"
        for scenario in scenarios:
            median = statistics.median(results[(label, scenario)])
            base = statistics.median(results[(floor[path], scenario)])
            line += f"{median:>14.0f}{median / base:>9.2f}x"
        print(line)
    print()
    tenantry = {
        path: label
        for label, path, engine, _pooled, _qualified in configurations
        if engine == "tenantry"
    }
    for scenario in scenarios:
        direct = statistics.median(results[(tenantry["direct"], scenario)])
        session = statistics.median(results[(tenantry["pgbouncer session"], scenario)])
        pooled = statistics.median(results[(tenantry["pgbouncer transaction"], scenario)])
        print(
            f"{scenario}: tenantry transaction mode = {pooled / session:.2f}x session mode "
            f"(both through pgbouncer), {pooled / direct:.2f}x a direct connection"
        )


if __name__ == "__main__":
    main()
