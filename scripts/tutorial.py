"""Run every code block of docs/tutorial.md, as a reader would, and fail loudly on the first
that does not do what the page says.

    python scripts/tutorial.py --workdir DIR --wheels DIST [--python PY] [--port N]
                               [--tutorial docs/tutorial.md]

Standard library only: CI's newcomer check runs it with the system Python.

The page's conventions (fence info strings; the brace form is mkdocs-material's):

- ```` ```bash ````: run in ONE shell session started in ``--workdir``: each block in a fresh
  ``bash -e -o pipefail``, after restoring the directory and the exported variables the
  previous block left (so ``cd`` and ``. .venv/bin/activate`` carry over, as in a terminal).
- ```` ``` { .bash data-run="no" } ````: not run (machine set-up: exports, apt, docker).
- ```` ``` { .bash data-run="background" data-port="8000" } ````: a server, started in the
  background, waited for until it accepts connections on that port, stopped at the end. The
  runner serves it on ``--port`` instead and rewrites ``127.0.0.1:8000`` in later blocks.
- A block with ``title="path"`` (any language) is written to that path, relative to the
  session's current directory; with ``data-write="append"`` it is appended to the file.
- A ```` ```text ```` block right after a run block is that block's expected output: each of
  its non-empty lines must appear in the output, in order.

The session's ``python3`` is ``--python`` (default: this interpreter), which the page uses to
make its virtualenv; ``PIP_FIND_LINKS`` is ``--wheels``, where ``scripts/build_wheels.py`` put
the wheels. PostgreSQL is whatever libpq's ``PG*`` variables in the environment point at.
Exit status 0 when every block did what the page says, 1 otherwise (naming the block's line).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

# The script's own directory is sys.path[0] when it runs as `python3 scripts/tutorial.py`.
from _tutorial_page import Block, TutorialError, parse_blocks

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TUTORIAL = ROOT / "docs" / "tutorial.md"
DOCUMENTED_HOST = "127.0.0.1"
BLOCK_TIMEOUT_SECONDS = 900  # pip installs Django and psycopg on a slow mirror
SERVER_START_SECONDS = 60
CALLERS_VARIABLES = frozenset({"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "DJANGO_SETTINGS_MODULE"})


@dataclass
class Session:
    """A shell session: the directory and exported variables carried from block to block."""

    directory: Path
    environment: dict[str, str]
    port: int
    scratch: Path  # the runner's own files, outside the work directory
    documented_port: str | None = None
    servers: list[tuple[Block, subprocess.Popen[str], Path]] = field(default_factory=list)

    def localize(self, text: str) -> str:
        """The page's server address replaced by the one this run serves on."""
        if self.documented_port is None:
            return text
        return text.replace(f"{DOCUMENTED_HOST}:{self.documented_port}", f"127.0.0.1:{self.port}")

    def _script(self, block: Block, state: Path) -> str:
        # The state is saved only when the block succeeded (the EXIT trap sees its status).
        save = (
            f'trap \'status=$?; if [ "$status" = 0 ]; then '
            f"{{ pwd; export -p; }} > {shlex.quote(str(state))}; fi; exit $status' EXIT\n"
        )
        return f"set -eo pipefail\n{save}{self.localize(block.text)}"

    def run(self, block: Block) -> str:
        state = self.scratch / "state"
        completed = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", self._script(block, state)],
            cwd=self.directory,
            env=self.environment,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=BLOCK_TIMEOUT_SECONDS,
            check=False,
        )
        if completed.returncode != 0:
            raise TutorialError(
                f"{block.describe()} exited with status {completed.returncode}:\n{completed.stdout}"
            )
        self._restore(state)
        return completed.stdout

    def _restore(self, state: Path) -> None:
        """Take over the directory and the exported variables the block left."""
        directory, _, exports = state.read_text().partition("\n")
        state.unlink()
        self.directory = Path(directory)
        probe = subprocess.run(
            ["bash", "--noprofile", "--norc", "-c", exports + "\nenv -0"],
            env={},
            capture_output=True,
            text=True,
            check=True,
        )
        self.environment = dict(
            item.split("=", 1) for item in probe.stdout.split("\0") if "=" in item
        )

    def start(self, block: Block) -> None:
        port = block.attributes.get("data-port")
        if port is None:
            raise TutorialError(f"{block.describe()} runs in the background but has no data-port")
        self.documented_port = port
        log = self.scratch / f"server-{block.line}.log"
        with log.open("w") as output:
            process = subprocess.Popen(
                ["bash", "--noprofile", "--norc", "-c", "exec " + self.localize(block.text)],
                cwd=self.directory,
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                text=True,
                start_new_session=True,  # its own process group: stopped with its children
            )
        self.servers.append((block, process, log))
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise TutorialError(
                    f"{block.describe()} exited with status {process.returncode} "
                    f"before serving:\n{log.read_text()}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise TutorialError(
            f"{block.describe()} did not accept connections on 127.0.0.1:{self.port} "
            f"within {SERVER_START_SECONDS} s:\n{log.read_text()}"
        )

    def stop_servers(self) -> None:
        for _block, process, _log in self.servers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.servers.clear()


def check_output(block: Block, output: str, session: Session) -> None:
    """Each non-empty line of the expected block appears in ``output``, in order."""
    expected = block.expected_output
    if expected is None:
        return
    lines = [line.rstrip() for line in output.splitlines()]
    position = 0
    for wanted in session.localize(expected.text).splitlines():
        wanted = wanted.rstrip()
        if not wanted.strip():
            continue
        while position < len(lines) and wanted not in lines[position]:
            position += 1
        if position == len(lines):
            raise TutorialError(
                f"{block.describe()} printed no line {wanted!r} where the text block at line "
                f"{expected.line} shows it (in order). It printed:\n{output}"
            )
        position += 1


def write_file(block: Block, session: Session) -> None:
    assert block.title is not None
    target = session.directory / block.title
    if block.attributes.get("data-write") == "append":
        if not target.exists():
            raise TutorialError(f"{block.describe()} appends to {target}, which does not exist")
        with target.open("a") as file:
            file.write(block.text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(block.text)


def run_tutorial(blocks: list[Block], session: Session, report: bool = True) -> None:
    try:
        for block in blocks:
            if block.title is not None and block.run == "no":
                write_file(block, session)
                action = f"wrote {block.title}"
            elif block.run == "yes":
                output = session.run(block)
                check_output(block, output, session)
                action = "ran" + (" and checked its output" if block.expected_output else "")
            elif block.run == "background":
                session.start(block)
                action = f"started in the background on 127.0.0.1:{session.port}"
            else:
                continue
            if report:
                print(f"line {block.line}: {action}", flush=True)
    finally:
        session.stop_servers()


def _python_shim(directory: Path, python: str) -> Path:
    """A directory whose ``python3`` (and ``python``) is the interpreter asked for."""
    shims = directory / "bin"
    shims.mkdir(parents=True, exist_ok=True)
    for name in ("python3", "python"):
        link = shims / name
        if link.is_symlink() or link.exists():
            link.unlink()
        link.symlink_to(python)
    return shims


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, required=True, help="an empty directory")
    parser.add_argument(
        "--wheels", type=Path, required=True, help="the wheels (PIP_FIND_LINKS of the page)"
    )
    parser.add_argument(
        "--python",
        default=sys.executable,
        help="the page's python3, which makes the virtualenv (default: this interpreter)",
    )
    parser.add_argument(
        "--port", type=int, default=8000, help="serve the page's server here (default 8000)"
    )
    parser.add_argument("--tutorial", type=Path, default=DEFAULT_TUTORIAL)
    options = parser.parse_args(argv)

    workdir = options.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    if any(workdir.iterdir()):
        parser.error(f"--workdir {workdir} is not empty")
    # A fresh terminal: nothing of the caller's virtualenv, Python path or Django project.
    environment = {key: value for key, value in os.environ.items() if key not in CALLERS_VARIABLES}
    environment["PIP_FIND_LINKS"] = str(options.wheels.resolve())
    environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    with tempfile.TemporaryDirectory(prefix="tutorial-") as scratch:
        shims = _python_shim(Path(scratch), options.python)
        environment["PATH"] = f"{shims}{os.pathsep}{environment.get('PATH', os.defpath)}"
        session = Session(workdir, environment, options.port, Path(scratch))
        try:
            blocks = parse_blocks(options.tutorial.read_text())
            run_tutorial(blocks, session)
        except TutorialError as error:
            print(f"{options.tutorial}: {error}", file=sys.stderr)
            return 1
    print(f"{options.tutorial}: every block ran as the page says")
    return 0


if __name__ == "__main__":
    sys.exit(main())
