"""scripts/tutorial.py itself: the page's conventions, and a block that does not do what
the page says fails the run, naming its line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "scripts" / "tutorial.py"

PAGE = """\
# A page

``` bash
mkdir project && cd project
export GREETING=hello
```

``` python title="greet.py"
print("greeting:", __import__("os").environ["GREETING"])
```

``` { .python title="greet.py" data-write="append" }
print("appended")
```

``` { .bash data-run="no" }
exit 1
```

``` bash
python3 greet.py
```

``` text
greeting: hello
appended
```
"""


def run(page: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tutorial = tmp_path / "page.md"
    tutorial.write_text(page)
    command = [
        sys.executable,
        str(RUNNER),
        "--workdir",
        str(tmp_path / "work"),
        "--wheels",
        str(tmp_path),
        "--tutorial",
        str(tutorial),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_directory_exports_and_files_carry_from_block_to_block(tmp_path: Path):
    result = run(PAGE, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "work" / "project" / "greet.py").read_text().endswith('"appended")\n')
    assert "line 20: ran and checked its output" in result.stdout


def test_output_unlike_the_page_fails_naming_the_block_and_its_line(tmp_path: Path):
    result = run(PAGE.replace("appended\n```\n", "goodbye\n```\n"), tmp_path)

    assert result.returncode == 1
    assert "the bash block at line 20 ('python3 greet.py') printed no line 'goodbye'" in (
        result.stderr
    )


def test_a_failing_command_stops_the_run_with_its_output(tmp_path: Path):
    result = run(PAGE.replace("export GREETING=hello", "false\nexport GREETING=hello"), tmp_path)

    assert result.returncode == 1
    assert "the bash block at line 3 ('mkdir project && cd project') exited with status 1" in (
        result.stderr
    )
    assert not (tmp_path / "work" / "project" / "greet.py").exists()
