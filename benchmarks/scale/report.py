"""The tables: one per N (each step's cost per unit and peak memory), then largest N over
smallest."""

from __future__ import annotations

from typing import Any

STEPS = (
    "fresh",
    "no-op",
    "select",
    "whowill",
    "migrationstatus",
    "create",
    "requests",
    "added field",
)
PLAIN_STEPS = ("requests",)
LIGHT_STEPS = ("select", "whowill", "create", "requests")  # need no migrated schemas
_UNITS = {"create": "tenant", "requests": "request"}
TARGET = 1.2  # issue 16: a per-schema cost at 10,000 within 1.2x of the one at 200

Results = dict[int, dict[str, dict[str, dict[str, Any]]]]  # N -> project -> step -> figures


def per_unit(result: dict[str, Any]) -> float:
    """Seconds per unit (schema, tenant or request) of one step's result."""
    return float(result["seconds"]) / int(result["count"])


def _per_unit_text(step: str, result: dict[str, Any]) -> str:
    seconds = per_unit(result)
    return f"{seconds * 1e6:.0f} µs" if step == "requests" else f"{seconds * 1e3:.2f} ms"


def _extra(step: str, result: dict[str, Any]) -> str:
    if step == "requests":
        tables = result.get("tables") or {}
        sizes = "/".join(str(tables[k]) for k in ("hosts", "answers", "domains") if k in tables)
        text = (
            f"CPU {float(result['cpu_seconds']) / int(result['count']) * 1e6:.0f} µs, "
            f"{float(result['queries_per_request']):.2f} queries, "
            f"backend {float(result['backend_anon_mib']):.0f} MiB"
        )
        text += f", caches {sizes}" if sizes else ""
        text += "; interleaved min, 200 hosts / all:"
        for clock, name in (("cpu", "CPU"), ("wall", "wall")):
            hot, rotating = result.get(f"hot_{clock}_us"), result.get(f"rotating_{clock}_us")
            if hot is not None and rotating is not None:
                text += (
                    f" {name} {float(hot):.0f} / {float(rotating):.0f} µs "
                    f"({float(rotating) / float(hot):.2f}x)"
                )
        return text
    if step == "fresh" and "rounds" in result:
        rounds = "/".join(f"{float(seconds):.2f}" for seconds in result["rounds"])
        return f"best of rounds {rounds} s"
    if step == "create":
        return f"first {float(result['first_ms']):.0f} ms, max {float(result['max_ms']):.0f} ms"
    return ""


def _rss(result: dict[str, Any]) -> str:
    return f"{float(result['rss_mib']) + float(result.get('child_rss_mib') or 0):.0f}"


def _table(count: int, by_project: dict[str, dict[str, dict[str, Any]]], sample: int) -> None:
    print(f"\nN = {count} tenants")
    setup = by_project.get("tenantry", {}).get("setup") or {}
    if setup and "failed" not in setup:
        print("setup: " + ", ".join(f"{k} {float(v):.1f} s" for k, v in setup.items()))
    print(f"{'project':<14}{'step':<17}{'units':>7}{'total s':>9}{'per unit':>12}{'RSS MiB':>9}")
    for project, steps in by_project.items():
        for step in STEPS if project == "tenantry" else PLAIN_STEPS:
            result = steps.get(step)
            if result is None:
                continue
            if "failed" in result:
                print(f"{project:<14}{step:<17} failed: {result['failed']}")
                continue
            print(
                f"{project:<14}{step:<17}{int(result['count']):>7}{float(result['seconds']):>9.2f}"
                f"{_per_unit_text(step, result):>12}{_rss(result):>9}  {_extra(step, result)}"
            )
    if "fresh" in by_project.get("tenantry", {}):
        print(f"fresh: {min(count, sample)} empty schemas migrated among {count}")
    print(
        "per unit: per schema, except create (per tenant) and requests (per request, wall; "
        "CPU is this process's thread time)"
    )


def _ratios(results: Results) -> None:
    low, high = min(results), max(results)
    print(f"\nper-unit cost and peak RSS at N = {high} over N = {low} (target <= {TARGET}x)")
    print(f"{'project':<14}{'step':<17}{'time':>8}{'RSS':>8}")
    for project in results[low]:
        for step in STEPS if project == "tenantry" else PLAIN_STEPS:
            a = results[low].get(project, {}).get(step)
            b = results[high].get(project, {}).get(step)
            if not a or not b or "failed" in a or "failed" in b:
                continue
            time_ratio = per_unit(b) / per_unit(a)
            rss_ratio = float(_rss(b)) / float(_rss(a))
            flag = "" if time_ratio <= TARGET else "  over target"
            print(f"{project:<14}{step:<17}{time_ratio:>7.2f}x{rss_ratio:>7.2f}x{flag}")


def print_report(results: Results, sample: int, *, flush: bool = False) -> bool:
    """Print the tables; True when any step failed."""
    for count, by_project in results.items():
        _table(count, by_project, sample)
    if len(results) > 1:
        _ratios(results)
    print(flush=flush)
    return any(
        "failed" in result
        for by_project in results.values()
        for steps in by_project.values()
        for result in steps.values()
    )
