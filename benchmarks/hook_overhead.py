"""What one tenant-resolution hook call costs, next to a plain function call.

    hatch run bench:hooks [--repeat N]

Each plugin implements ``tenantry_resolve_tenant``. "all decline" walks the whole chain (every
plugin returns None: the worst case for a firstresult hook); "last answers" stops at the first
implementation pluggy calls. The manager is built without entry points so plugin counts are
exact. Prints the environment (Python, Django, driver, the peers' releases), then
microseconds per call (best of N repeats) and the ratio to the plain call.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import pluggy

import tenantry
from tenantry import RequestInfo, Resolution, SchemaDescriptor

if __package__ in (None, ""):  # run as a file (bench:hooks): the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.environment import describe

REQUEST = RequestInfo(host="tenant1.example.com", path="/", headers={})
ANSWER = Resolution(SchemaDescriptor("tenant1"))


class Declines:
    @tenantry.hookimpl
    def tenantry_resolve_tenant(self, request: RequestInfo) -> Resolution | None:
        return None


class Answers:
    @tenantry.hookimpl
    def tenantry_resolve_tenant(self, request: RequestInfo) -> Resolution | None:
        return ANSWER


def plain_resolver(request: RequestInfo) -> Resolution | None:
    return None


def manager_with(plugins: list[object]) -> pluggy.PluginManager:
    tenantry.configure_plugins(load_entry_points=False)
    manager = tenantry.get_plugin_manager()
    for plugin in plugins:
        manager.register(plugin)
    return manager


def best_microseconds(call: Callable[[], object], repeat: int) -> float:
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat

    plain = best_microseconds(lambda: plain_resolver(REQUEST), repeat)
    rows = [("plain function call", plain)]
    for count in (1, 3, 10):
        declining = manager_with([Declines() for _ in range(count)]).hook
        rows.append(
            (
                f"hook, {count:>2} plugin(s), all decline",
                best_microseconds(
                    lambda h=declining: h.tenantry_resolve_tenant(request=REQUEST), repeat
                ),
            )
        )
        # pluggy calls the last registered implementation first
        answering = manager_with([*(Declines() for _ in range(count - 1)), Answers()]).hook
        rows.append(
            (
                f"hook, {count:>2} plugin(s), first called answers",
                best_microseconds(
                    lambda h=answering: h.tenantry_resolve_tenant(request=REQUEST), repeat
                ),
            )
        )
    tenantry.configure_plugins()  # back to every installed plugin

    def enter_and_leave() -> None:
        with tenantry.tenant_context(ANSWER.tenant):
            pass

    activation = best_microseconds(enter_and_leave, repeat)
    print(describe())
    width = max(len(name) for name, _ in rows)
    print(f"{'call':<{width}}  {'µs/call':>8}  {'x plain':>8}")
    for name, micros in rows:
        print(f"{name:<{width}}  {micros:8.3f}  {micros / plain:8.1f}")
    print(
        f"(for scale: one `with tenant_context(...)` costs {activation:.3f} µs with the "
        "installed plugins)"
    )


if __name__ == "__main__":
    main()
