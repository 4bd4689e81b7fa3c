"""Progress of a run: plain lines when not on a terminal, so logs stay readable."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from django.core.management import call_command

from tenantry_cli._progress import RunProgress


def test_plain_line_per_finished_schema() -> None:
    stream = io.StringIO()

    with RunProgress(stream, 3) as progress:
        progress.advance("acme", ok=True, detail="schema created")
        progress.advance("globex", ok=False)
        progress.advance("initech", ok=True)

    lines = stream.getvalue().splitlines()
    rate_and_eta = r"[\d.]+/s, ETA \d+s"
    assert re.fullmatch(rf"1/3 acme: ok \(schema created\) \| 0 failed, {rate_and_eta}", lines[0])
    assert re.fullmatch(rf"2/3 globex: FAILED \| 1 failed, {rate_and_eta}", lines[1])
    assert lines[2].startswith("3/3 initech: ok | 1 failed, ")
    assert len(lines) == 3


def test_a_single_schema_needs_no_progress() -> None:
    stream = io.StringIO()

    with RunProgress(stream, 1) as progress:
        progress.advance("acme", ok=True)

    assert stream.getvalue() == ""


def test_runschema_reports_progress_on_stderr(make_fleet: Callable[..., list]) -> None:
    make_fleet(2)
    stdout, stderr = io.StringIO(), io.StringIO()

    call_command("runschema", "-s", ":dynamic:", "check", stdout=stdout, stderr=stderr)

    lines = stderr.getvalue().splitlines()
    assert [line.split(" | ")[0] for line in lines] == ["1/2 cli_0: ok", "2/2 cli_1: ok"]
    assert "1/2" not in stdout.getvalue()
