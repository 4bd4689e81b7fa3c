"""What walking the resolver chain costs a request, next to a plain function call.

    hatch run bench:hooks [--repeat N]

Plugins announce resolvers through the ``tenantry_register_resolvers`` hook;
``TENANTRY_RESOLVERS`` orders them into the chain ``tenantry_django.routing`` asks for every
request it cannot answer from memory. "all decline" walks the whole chain (every resolver
returns None: the worst case); "last answers" walks it to the last resolver, which answers.
"resolve()" adds finding the current chain (one lookup on the settings object and a check
that the plugins were not reconfigured) to a walk of one resolver. Announcing (calling the hook
on every plugin) happens once per settings change, and is shown for scale. The manager is built
without entry points so resolver counts are exact. Prints the environment (Python, Django,
driver, the peers' releases), then microseconds per call (best of N repeats) and the ratio to
the plain call.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable, Iterable
from pathlib import Path

import django
from django.conf import settings
from django.test.utils import override_settings

import tenantry
from tenantry import RequestInfo, Resolution, SchemaDescriptor

if __package__ in (None, ""):  # run as a file (bench:hooks): the repository root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.environment import describe

REQUEST = RequestInfo(host="tenant1.example.com", path="/", headers={})
ANSWER = Resolution(SchemaDescriptor("tenant1"))


class Announces:
    """A plugin announcing one resolver, which declines (or answers)."""

    def __init__(self, name: str, answers: bool = False) -> None:
        self.name = name
        self.answer = ANSWER if answers else None

    def resolve(self, request: RequestInfo) -> Resolution | None:
        return self.answer

    @tenantry.hookimpl
    def tenantry_register_resolvers(self) -> Iterable[tenantry.ResolverSpec]:
        return [tenantry.ResolverSpec(self.name, self.resolve)]


def plain_resolver(request: RequestInfo) -> Resolution | None:
    return None


def configure(count: int, last_answers: bool) -> list[str]:
    """Plugins announcing ``count`` resolvers; their names, in chain order."""
    tenantry.configure_plugins(load_entry_points=False)
    manager = tenantry.get_plugin_manager()
    names = [f"resolver_{index}" for index in range(count)]
    for index, name in enumerate(names):
        manager.register(Announces(name, answers=last_answers and index == count - 1))
    return names


def best_microseconds(call: Callable[[], object], repeat: int) -> float:
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def chain_rows(repeat: int) -> list[tuple[str, float]]:
    from tenantry_django.routing import resolve
    from tenantry_django.routing._chain import current_chain

    rows = []
    for count in (1, 3, 10):
        for last_answers, label in ((False, "all decline"), (True, "last answers")):
            names = configure(count, last_answers)
            with override_settings(TENANTRY_RESOLVERS=names):
                chain = current_chain()
                assert len(chain.resolvers) == count
                assert (chain.run(REQUEST) is ANSWER) is last_answers
                walk = best_microseconds(lambda chain=chain: chain.run(REQUEST), repeat)
                rows.append((f"chain, {count:>2} resolver(s), {label}", walk))
                if count == 1 and not last_answers:
                    found = best_microseconds(lambda: resolve(REQUEST), repeat)
                    rows.append(("resolve(): find the chain, walk 1", found))
                    announce = best_microseconds(tenantry.get_resolvers, repeat)
                    rows.append(("announcing 1 resolver (once per settings)", announce))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    repeat = parser.parse_args().repeat
    # Only what the chain reads: the settings object and the plugin manager.
    apps = ["django.contrib.contenttypes", "tenantry_django"]
    settings.configure(INSTALLED_APPS=apps, TENANTRY_RESOLVERS=["domain"])
    django.setup()

    plain = best_microseconds(lambda: plain_resolver(REQUEST), repeat)
    rows = [("plain function call", plain), *chain_rows(repeat)]
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
