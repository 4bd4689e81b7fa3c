"""Instructions per request, counted by valgrind: the A/B without the machine's noise.

    python -m benchmarks.request_cpu.instructions LIBRARY STEPS SIDE REQUESTS

CPU time on a shared VM swings by tens of microseconds between rounds, more than the cost
being measured. The number of machine instructions the client executes per request does
not: under valgrind's ``callgrind``, with one hash seed, two processes serving the same
side's requests on the same database counted the same instructions, to the last one. So each
side of the A/B (:mod:`.sides`) is served in a process of its own under callgrind, on the
database the timed worker set up, and the counts are compared: the library's (and each
part's) instructions per request, and what they cost at the plain side's own rate (its p10
CPU µs per request in the timed rounds over its instructions per request). A collection of
garbage lands in whichever request allocates past the collector's threshold, and sides
allocate differently: count a thousand requests or more, and read a part of a few thousand
instructions as within that (the whole is firmer).

Counting covers the requests only: each scenario's requests are served from inside one
itertools C function (``starmap_next`` for one tenant, ``filterfalse_next`` rotating), which
callgrind collects from (``--toggle-collect``) and reports inclusively. Instructions are the
client's user-space work (Python, Django, the library, psycopg and libpq); the server's and the
kernel's are not in them, nor what a cold cache costs: a count is a floor under the CPU time,
and two counts compare code, not caches.
"""

from __future__ import annotations

import collections
import gc
import itertools
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.request_cpu.skeleton import SKELETON, build_skeleton_side

__all__ = ["DRIVERS", "count_sides", "parse_inclusive", "print_counts"]

#: scenario -> the itertools C function its requests are served from (see the docstring)
DRIVERS = {"one": "starmap_next", "rotating": "filterfalse_next"}
#: How much slower a process runs under callgrind, about (for :func:`_scale_expiries`).
SLOWDOWN = 100
WARM_UP = 100  # requests per scenario before counting: caches filled, bytecode specialised
ROOT = Path(__file__).resolve().parents[2]


def _serve_counted(scenario: str, request: Callable[[str], None], hosts: list[str]) -> None:
    """Serve ``hosts`` from inside the scenario's driver function."""
    if DRIVERS[scenario] == "starmap_next":
        collections.deque(itertools.starmap(request, [(host,) for host in hosts]), maxlen=0)
    else:
        collections.deque(
            itertools.filterfalse(lambda host: request(host) is not None, hosts), maxlen=0
        )


def parse_inclusive(annotated: str) -> dict[str, int]:
    """driver function -> its inclusive instructions, from ``callgrind_annotate --inclusive``."""
    found: dict[str, int] = {}
    for line in annotated.splitlines():
        match = re.match(r"\s*([\d,]+) .*:(\w+) \[", line)
        if match and match.group(2) in DRIVERS.values():
            found[match.group(2)] = int(match.group(1).replace(",", ""))
    return found


def _count_side(
    library: str, steps: bool, side: str, requests: int, environment: dict[str, str]
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="tenantry-callgrind-") as folder:
        output = Path(folder) / "callgrind.out"
        toggles = [f"--toggle-collect={driver}" for driver in DRIVERS.values()]
        command = [
            "valgrind",
            "--tool=callgrind",
            *toggles,
            f"--callgrind-out-file={output}",
            sys.executable,
            "-m",
            "benchmarks.request_cpu.instructions",
            library,
            str(int(steps)),
            side,
            str(requests),
        ]
        # One hash seed for every side: dictionaries and sets laid out alike, counts repeatable.
        seeded = {**environment, "PYTHONHASHSEED": "0"}
        served = subprocess.run(
            command, cwd=ROOT, env=seeded, capture_output=True, text=True, check=False
        )
        if served.returncode != 0 or not output.exists():
            raise SystemExit(f"{library}, {side}: callgrind run failed\n{served.stderr[-3000:]}")
        annotated = subprocess.run(
            ["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(output)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    totals = parse_inclusive(annotated)
    missing = [driver for driver in DRIVERS.values() if driver not in totals]
    if missing:  # e.g. a stripped interpreter: its static functions have no names
        raise SystemExit(
            f"callgrind found no {', '.join(missing)} in {sys.executable}: "
            "counting needs an interpreter with its symbols (./dev's builds have them)"
        )
    return {scenario: totals[driver] / requests for scenario, driver in DRIVERS.items()}


def count_sides(
    library: str, steps: bool, sides: list[str], requests: int, environment: dict[str, str]
) -> dict[str, dict[str, float]]:
    """side -> scenario -> instructions per request; ``environment`` names the database the
    timed worker set up. Sides run side by side, one per CPU (counts do not depend on load)."""
    if shutil.which("valgrind") is None or shutil.which("callgrind_annotate") is None:
        raise SystemExit("--instructions needs valgrind (Debian: apt install valgrind)")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counted = pool.map(
            lambda side: _count_side(library, steps, side, requests, environment), sides
        )
        return dict(zip(sides, counted, strict=True))


def print_counts(result: dict[str, Any], requests: int, scenarios: dict[str, str]) -> None:
    """The counts of one library's run (``result['instructions']``), side against side."""
    counted = result.get("instructions")
    if not counted:
        return
    sides = result["sides"]
    print()
    print(
        f"{result['library']}: client instructions per request (valgrind callgrind, "
        f"{requests} requests per side and scenario after warming up; each side against the "
        "one before, and in µs at plain Django's own rate: its p10 CPU µs per request over its "
        "instructions per request)"
    )
    print(
        f"{'scenario':<12} {'side':<20} {'instructions':>13} {'added':>9} {'x plain':>8} {'µs':>7}"
    )
    for scenario, label in scenarios.items():
        plain = counted[sides[0]][scenario]
        rate = result["rounds"][f"{sides[0]}|{scenario}"]["cpu"]["p10"] / plain
        for before, side in itertools.pairwise(sides):
            this, previous = counted[side][scenario], counted[before][scenario]
            part = "+ backend" if side == sides[-1] and len(sides) > 2 else side
            print(
                f"{label:<12} {part:<20} {this:>13,.0f} {this - previous:>+9,.0f} "
                f"{this / plain:>8.3f} {(this - previous) * rate:>+7.1f}"
            )
        whole = counted[sides[-1]][scenario] - plain
        print(
            f"{label:<12} {'library, whole':<20} {'':>13} {whole:>+9,.0f} "
            f"{counted[sides[-1]][scenario] / plain:>8.3f} {whole * rate:>+7.1f}"
            f"   (plain Django: {plain:,.0f} instructions, {rate * 1000:.2f} ns each)"
        )
        if SKELETON in counted:
            floor = counted[SKELETON][scenario]
            print(
                f"{label:<12} {'skeleton (floor)':<20} {floor:>13,.0f} {floor - plain:>+9,.0f} "
                f"{floor / plain:>8.3f} {(floor - plain) * rate:>+7.1f}"
                "   (the least Django's hooks cost: benchmarks/request_cpu/skeleton.py)"
            )


def _scale_expiries() -> None:
    """Keep tenantry's resolver cache as long per request as in the timed run.

    Under valgrind a request takes about a hundred times as long, so the answers the
    middleware keeps (``TENANTRY_RESOLVER_CACHE_SECONDS``) would expire a hundred times as
    often per request, each expiry a domain query natively paid once in some 10,000 requests.
    """
    from django.conf import settings
    from django.test.utils import override_settings

    seconds = float(getattr(settings, "TENANTRY_RESOLVER_CACHE_SECONDS", 10.0))
    override_settings(TENANTRY_RESOLVER_CACHE_SECONDS=seconds * SLOWDOWN).enable()


def _checked_skeleton(library: str, patches: Any, plain: Any) -> Any:
    """The skeleton's side (:mod:`.skeleton`), proved to run none of the library's code and
    to serve every host its own page."""
    from benchmarks.request_cpu.sides import library_frames, settle_receivers
    from benchmarks.request_cpu.worker import PACKAGES
    from benchmarks.request_overhead.projects import HOSTS

    side = build_skeleton_side(patches, plain.connection, dict(HOSTS))
    settle_receivers([side], PACKAGES[library])
    side.activate()
    request = side.client()  # checks each page's body
    leaked = library_frames(PACKAGES[library], lambda: [request(host) for host in HOSTS])
    if leaked:
        raise SystemExit(f"the skeleton runs {library} code: {', '.join(leaked)}")
    return side


def main() -> None:
    """Under callgrind: build the sides as the timed worker does, serve ``SIDE``'s requests."""
    from benchmarks.request_cpu.sides import Patches
    from benchmarks.request_cpu.worker import SCHEMA, SETTINGS, _sides
    from benchmarks.request_overhead.projects import HOSTS

    library, steps, wanted, requests = sys.argv[1], sys.argv[2] == "1", *sys.argv[3:5]
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS[library]
    patches = Patches.record()
    import django

    django.setup()
    _scale_expiries()
    sides = _sides(library, patches, dict(HOSTS), steps)
    if wanted == SKELETON:
        side: Any = _checked_skeleton(library, patches, sides[0])
    else:
        side = next(side for side in sides if side.name == wanted)
    side.activate()
    request = side.client()
    scenarios = {"one": [f"{SCHEMA}.bench"], "rotating": sorted(HOSTS)}
    for scenario, hosts in scenarios.items():
        for index in range(WARM_UP):
            request(hosts[index % len(hosts)])
        gc.collect()
        gc.freeze()  # as the timed worker: the set-up's objects out of the collector's way
        _serve_counted(scenario, request, [hosts[i % len(hosts)] for i in range(int(requests))])


if __name__ == "__main__":
    main()
