"""The tables: one per scenario, every project's time as a ratio to tenantry's."""

from __future__ import annotations

import os
from dataclasses import dataclass

from benchmarks.migrate_fleet.projects import Project

SCENARIOS = {
    "fresh": "migrate {n} empty schemas (20 migrations each)",
    "no-op": "migrate the {n} schemas again, nothing to do",
    "added field": "a new process sees migration 0021 (AddField with a default) in {n} schemas",
}


@dataclass(frozen=True)
class Result:
    seconds: float
    rss_mib: float  # the worker process's peak
    child_rss_mib: float  # its largest finished child process's peak (0: none)


def _row(name: str, result: Result | str, base: Result | str | None, count: int) -> str:
    if isinstance(result, str):
        return f"{name:<34} {result}"
    ratio = f"{result.seconds / base.seconds:.2f}" if isinstance(base, Result) else "-"
    child = f"{result.child_rss_mib:.0f}" if result.child_rss_mib else "-"
    return (
        f"{name:<34} {result.seconds:>8.2f} {result.seconds * 1000 / count:>10.1f} "
        f"{result.rss_mib + result.child_rss_mib:>13.0f} {child:>10} {ratio:>10}"
    )


def _best_peer(
    projects: list[Project], results: dict[str, dict[str, Result | str]], scenario: str
) -> str:
    timed = [
        (result.seconds, project.name)
        for project in projects
        if project.peer and isinstance(result := results[project.name][scenario], Result)
    ]
    if not timed:
        return "best peer: none measured"
    seconds, name = min(timed)
    base = results.get("tenantry", {}).get(scenario)
    if not isinstance(base, Result):
        return f"best peer: {name}, {seconds:.2f} s (tenantry not measured)"
    return f"best peer: {name}, {seconds:.2f} s = {seconds / base.seconds:.2f} x tenantry"


def print_report(
    projects: list[Project],
    results: dict[str, dict[str, Result | str]],
    count: int,
    workers: int,
) -> bool:
    """Print the tables; True when any project failed."""
    print(
        f"N = {count} schemas, W = {workers} workers for the parallel executors, "
        f"{os.cpu_count()} CPUs"
    )
    for scenario, title in SCENARIOS.items():
        base = results.get("tenantry", {}).get(scenario)
        print(f"\n{scenario}: {title.format(n=count)}")
        print(
            f"{'project':<34} {'total s':>8} {'ms/schema':>10} {'peak RSS MiB':>13} "
            f"{'child MiB':>10} {'x tenantry':>10}"
        )
        for project in projects:
            print(_row(project.name, results[project.name][scenario], base, count))
        print(_best_peer(projects, results, scenario))
    print("\nHow each project migrates:")
    for project in projects:
        print(f"  {project.name}: {project.note}")
    print(
        "peak RSS MiB: the worker process plus its largest child process (getrusage reports "
        "the largest child, not the sum); 'child MiB' is that child alone."
    )
    return any(isinstance(r, str) for by_scenario in results.values() for r in by_scenario.values())
