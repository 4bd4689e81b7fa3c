"""Read the runs' outcomes, diff them against the stock backend and decide the gate."""

from __future__ import annotations

import json
import tomllib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

BAD = frozenset({"fail", "error", "unexpected-success"})
# When a test reports more than once (several failing subtests, an error in tearDown after a
# failure), the worst outcome counts.
_RANK = {"pass": 0, "skip": 0, "xfail": 0, "unexpected-success": 1, "fail": 2, "error": 3}


@dataclass
class Outcome:
    outcome: str
    error: str = ""
    traceback: str = ""


def label_of(test: str) -> str:
    """The top-level test module: ``basic`` for ``basic.tests.X.test_y`` and for the id of an
    error in a fixture, ``setUpClass (basic.tests.X)``."""
    inner = test.partition("(")[2].rstrip(")") or test
    return inner.split(".")[0]


@dataclass
class RunResults:
    name: str
    tests: dict[str, Outcome] = field(default_factory=dict)
    finished: bool = False
    schema: str = "?"  # the default connection's current_schema() when the tests started
    backend: str = "?"  # the file of the backend module the run used
    seconds: Counter[str] = field(default_factory=Counter)  # per label
    # test id -> first line of an exception raised in a thread it started (failing or not)
    thread_exceptions: dict[str, str] = field(default_factory=dict)
    missing_extensions: set[str] = field(default_factory=set)  # skipped while migrating

    @property
    def bad(self) -> set[str]:
        return {test for test, outcome in self.tests.items() if outcome.outcome in BAD}

    def counts(self) -> Counter[str]:
        return Counter(outcome.outcome for outcome in self.tests.values())


def load(name: str, path: Path) -> RunResults:
    results = RunResults(name)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    for line in lines:
        entry = json.loads(line)
        if entry.get("finished"):
            results.finished = True
            continue
        if "schema" in entry:
            results.schema, results.backend = entry["schema"], entry["backend"]
            continue
        if "missing_extension" in entry:
            results.missing_extensions.add(entry["missing_extension"])
            continue
        if "thread_exception" in entry:
            results.thread_exceptions.setdefault(entry["thread_exception"], entry["error"])
            continue
        if "seconds" in entry:  # not on the (setup_databases) and (teardown_databases) steps
            results.seconds[label_of(entry["id"])] += entry["seconds"]
        new = Outcome(entry["outcome"], entry.get("error", ""), entry.get("traceback", ""))
        old = results.tests.get(entry["id"])
        if old is None or _RANK[new.outcome] > _RANK[old.outcome]:
            results.tests[entry["id"]] = new
    return results


def load_allow_list(path: Path) -> dict[str, str]:
    """Test id -> why it may fail with a tenant active although it passes on stock."""
    if not path.exists():
        return {}
    with path.open("rb") as file:
        return {str(test): str(why) for test, why in tomllib.load(file).get("tenant", {}).items()}


def _lines(
    title: str, tests: Iterable[str], run: RunResults, notes: Mapping[str, str] | None = None
) -> list[str]:
    """A titled list of tests, each with its outcome's first line (and why it is accepted)."""
    tests = sorted(tests)
    out = [f"{title}: {len(tests)}"]
    for test in tests:
        out.append(f"  {test}")
        if (outcome := run.tests.get(test)) is not None:
            out.append(f"      {outcome.outcome}: {outcome.error}")
        if notes and test in notes:
            out.append(f"      accepted: {notes[test]}")
    return out


def totals_table(runs: Mapping[str, RunResults], seconds: Mapping[str, float]) -> list[str]:
    out = [
        f"{'run':<8}{'schema':<14}{'tests':>7}{'pass':>7}{'skip':>6}{'xfail':>6}"
        f"{'fail':>6}{'error':>6}{'time':>8}"
    ]
    for name, run in runs.items():
        counts = run.counts()
        time = f"{seconds[name]:.0f}s" if name in seconds else "reused"
        out.append(
            f"{name:<8}{run.schema:<14}{len(run.tests):>7}{counts['pass']:>7}{counts['skip']:>6}"
            f"{counts['xfail']:>6}{counts['fail']:>6}"
            f"{counts['error'] + counts['unexpected-success']:>6}{time:>8}"
            + ("" if run.finished else "  INCOMPLETE (crashed or interrupted, see its log)")
        )
    return out


def timings(runs: Mapping[str, RunResults], seconds: Mapping[str, float]) -> list[str]:
    """Seconds per label and run (meaningful with --parallel 1), then database setup & co."""
    names = list(runs)
    labels = sorted(set().union(*(run.seconds for run in runs.values())))
    out = [f"{'label':<24}" + "".join(f"{name:>9}" for name in names)]
    for label in labels:
        out.append(f"{label:<24}" + "".join(f"{runs[n].seconds[label]:>8.0f}s" for n in names))
    setup = [f"{seconds[n] - runs[n].seconds.total():.0f}s" if n in seconds else "?" for n in names]
    out.append(f"{'(db setup, teardown)':<24}" + "".join(f"{value:>9}" for value in setup))
    return out


def tracebacks(tests: Iterable[str], run: RunResults) -> list[str]:
    return [f"--- {run.name}: {test}\n{run.tests[test].traceback}" for test in sorted(tests)]


@dataclass
class Verdict:
    lines: list[str]
    failed: bool
    tenantry_only: dict[str, set[str]]


def _is(run: RunResults, test: str, outcome: str) -> bool:
    return run.tests[test].outcome == outcome


def diff(runs: Mapping[str, RunResults], allowed: Mapping[str, str]) -> Verdict:
    """The tenantry runs against stock. The gate fails on an incomplete run, on any failure
    of the plain run that stock does not share, and on the tenant run's that are not
    allowed."""
    stock = runs["stock"]
    others = [run for name, run in runs.items() if name != "stock"]
    failed = not all(run.finished for run in runs.values())
    environment = stock.bad.intersection(*(run.bad for run in others))
    lines = _lines("fail on both backends (environment)", environment, stock)
    if missing := set().union(*(run.missing_extensions for run in runs.values())):
        lines += [f"  (the server lacks the extensions {', '.join(sorted(missing))})"]
    tenantry_only: dict[str, set[str]] = {}
    for run in others:
        only = tenantry_only[run.name] = run.bad - stock.bad
        tenant = run.name == "tenant"
        notes = allowed if tenant else {}
        title = "tenantry-only failures " + ("(tenant active)" if tenant else "(no tenant)")
        if notes:
            title += f", {len(only & notes.keys())} of them accepted by the allow-list"
        lines += ["", *_lines(title, only, run, notes)]
        failed = failed or bool(only - notes.keys())
        if stale := sorted(notes.keys() & (run.tests.keys() - only)):
            lines += ["", "allow-list entries that ran and did not fail (remove them?):"]
            lines += [f"  {test}" for test in stale]
        if better := stock.bad - run.bad - environment:
            lines += ["", *_lines(f"fail on stock only, not on {run.name} (flaky?)", better, stock)]
        if threads := run.thread_exceptions.keys() - stock.thread_exceptions.keys():
            lines += ["", f"{run.name}: exceptions in threads tests started, not on stock:"]
            lines += [f"  {t}\n      {run.thread_exceptions[t]}" for t in sorted(threads)]
        passed = {test for test, outcome in stock.tests.items() if outcome.outcome == "pass"}
        if skipped := {test for test in passed & run.tests.keys() if _is(run, test, "skip")}:
            lines += ["", *_lines(f"passed on stock, skipped on {run.name}", skipped, run)]
        ran = {test for test, outcome in stock.tests.items() if outcome.outcome != "skip"}
        if missing := ran - run.tests.keys():
            lines += ["", f"{run.name}: {len(missing)} tests that ran on stock did not run here"]
    return Verdict(lines, failed, tenantry_only)
