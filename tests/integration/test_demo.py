"""The README's demo command: start it, fetch every tenant's page over HTTP, stop it, and run
it again on the same data."""

from __future__ import annotations

import contextlib
import os
import queue
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import tomllib
import venv
from pathlib import Path

import django
import pytest
from postgres_harness import free_port, http_get

ROOT = Path(__file__).resolve().parents[2]

PAGES = [  # host, path, what the page must show
    ("localhost", "/", ["Tenant <code>www</code>", "Welcome to the main site"]),
    (
        "tenant1.localhost",
        "/",
        ["Tenant One", "schema <code>tenant1</code>", "Ship the beta", "Call the bank"],
    ),
    ("tenant2.localhost", "/", ["Tenant Two", "Hire a designer"]),
    (
        "tenants.localhost",
        "/tenant3/",
        ["Tenant Three", "<code>/tenant3/</code>", "Lives in a subfolder"],
    ),
]


def demo_command(port: int, data_dir: Path, python: Path | str = sys.executable) -> list[str]:
    return [str(python), "-m", "sandbox.demo", "--port", str(port), "--data-dir", str(data_dir)]


def hatch_script(port: int, data_dir: Path) -> list[str]:
    """``hatch run demo:run``'s command line as hatch runs it: the script of hatch.toml in
    ``sh -c``, with this interpreter first on PATH (as hatch puts the environment's)."""
    scripts = tomllib.loads((ROOT / "hatch.toml").read_text())["envs"]["demo"]["scripts"]
    args = f"--port {port} --data-dir {shlex.quote(str(data_dir))}"
    return ["sh", "-c", scripts["run"].replace("{args}", args)]


class Demo:
    def __init__(
        self,
        port: int,
        data_dir: Path,
        python: Path | str = sys.executable,
        command: list[str] | None = None,
    ) -> None:
        self.port = port
        environment = {
            **os.environ,
            "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        self.process = subprocess.Popen(
            command or demo_command(port, data_dir, python),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
            start_new_session=True,  # its own process group, as a terminal's job is
        )
        self.output = self._read_until("Ctrl-C stops it", timeout=180)

    def _read_until(self, marker: str, timeout: float) -> str:
        stdout = self.process.stdout
        assert stdout is not None
        lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:  # a thread, so a blocking readline never stalls the test
            for line in stdout:
                lines.put(line)
            lines.put("")

        self._pump = threading.Thread(target=pump, daemon=True)
        self._pump.start()
        seen: list[str] = []
        deadline = time.monotonic() + timeout
        self._lines = lines
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if not line:
                break
            seen.append(line)
            if marker in line:
                return "".join(seen)
        lines_text = "".join(seen)
        self.process.kill()
        self.process.wait()
        self._close()
        pytest.fail("demo did not start:\n" + lines_text)

    def stop(self) -> int:
        """Ctrl-C as a terminal sends it: SIGINT to the whole process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        code = self.process.wait(timeout=60)
        self._close()
        return code

    def _close(self) -> None:
        self._pump.join(timeout=10)
        rest = []
        while not self._lines.empty():
            rest.append(self._lines.get())
        self.output += "".join(rest)
        if self.process.stdout is not None:
            self.process.stdout.close()


def test_the_demo_serves_every_tenant_and_reruns_safely(tmp_path):
    port = free_port()
    demo = Demo(port, tmp_path)
    try:
        for url in (
            f"http://localhost:{port}/",
            f"http://tenant1.localhost:{port}/",
            f"http://tenant2.localhost:{port}/",
            f"http://tenants.localhost:{port}/tenant3/",
        ):
            assert url in demo.output
        for host, path, expected in PAGES:
            status, page = http_get(port, host, path)
            assert status == 200, (host, page)
            for text in expected:
                assert text in page, (host, text)
        assert "Hire a designer" not in http_get(port, "tenant1.localhost", "/")[1]
        assert http_get(port, "unknown.localhost", "/")[0] == 404
    finally:
        assert demo.stop() == 0
    assert not (tmp_path / "postgres" / "data" / "postmaster.pid").exists()
    assert demo.output.rstrip().splitlines()[-1].startswith("tenantry demo stopped")
    assert "Traceback" not in demo.output

    again = Demo(port, tmp_path)  # same data: nothing is created twice
    try:
        status, page = http_get(port, "tenant1.localhost", "/")
        assert status == 200
        assert page.count("Ship the beta") == 1
    finally:
        assert again.stop() == 0


@pytest.mark.packaging
def test_the_demo_runs_on_the_all_extra_installed_from_the_wheels(wheels: Path, tmp_path: Path):
    """``pip install "tenantry[all]"`` from the built wheels into a fresh virtualenv of this
    interpreter, with this run's Django, then the demo (sandbox and harness installed
    beside it, as they are not published) serving from that environment alone."""
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python = environment / "bin" / "python"
    install = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    requirements = ["tenantry[all]==0.1.0", f"Django=={django.__version__}"]
    subprocess.run([*install, "--find-links", wheels, *requirements], check=True)
    local = [ROOT / "tests" / "harness", ROOT / "tests" / "sandbox"]
    subprocess.run([*install, "--find-links", wheels, *local], check=True)
    # Nothing is imported from this checkout: the packages come from the wheels.
    probe = "import tenantry_django, django; print(tenantry_django.__file__, django.get_version())"
    origin = subprocess.run(
        [python, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
    ).stdout.split()
    assert str(environment) in origin[0]
    assert origin[1] == django.__version__

    port = free_port()
    demo = Demo(port, tmp_path / "data", python=python)
    try:
        for host, path, expected in PAGES:
            status, page = http_get(port, host, path)
            assert status == 200, (host, page)
            for text in expected:
                assert text in page, (host, text)
        assert http_get(port, "unknown.localhost", "/")[0] == 404
    finally:
        assert demo.stop() == 0


def refused(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_a_second_demo_says_the_first_runs_and_ctrl_c_through_hatch_exits_0(tmp_path):
    """Started as ``hatch run demo:run`` starts it, in a process group of its own: a second
    demo on the same data, or on the same port, refuses in one line; Ctrl-C to the group
    stops it all with status 0 (hatch exits with the status of its shell)."""
    port = free_port()
    demo = Demo(port, tmp_path, command=hatch_script(port, tmp_path))
    try:
        second = refused(demo_command(free_port(), tmp_path))
        assert second.returncode == 1
        assert second.stdout == ""
        assert second.stderr.strip().splitlines() == [
            f"tenantry demo: the demo is already running on port {port} (data in {tmp_path}/): "
            f"open http://localhost:{port}/, or stop it with Ctrl-C where it runs"
        ]
        on_the_port = refused(demo_command(port, tmp_path / "elsewhere"))
        assert on_the_port.returncode == 1
        assert f"port {port} is already in use" in on_the_port.stderr
        assert "Traceback" not in on_the_port.stderr
        assert not (tmp_path / "elsewhere" / "postgres").exists()  # nothing was started
        assert http_get(port, "tenant1.localhost", "/")[0] == 200  # the first one serves on
    finally:
        code = demo.stop()
    assert (code, "Traceback" in demo.output) == (0, False), demo.output
    assert "tenantry demo stopped" in demo.output
    assert not (tmp_path / "postgres" / "data" / "postmaster.pid").exists()
    with socket.socket() as probe:  # nobody listens on the port any more
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        probe.bind(("127.0.0.1", port))


def test_a_demo_killed_outright_leaves_nothing_in_the_way_of_the_next(tmp_path):
    """SIGKILL stops the demo but not its PostgreSQL (a daemon of its own session): the next
    demo on the data stops that server and serves."""
    port = free_port()
    killed = Demo(port, tmp_path)
    os.killpg(killed.process.pid, signal.SIGKILL)
    killed.process.wait(timeout=60)
    killed._close()
    pid_file = tmp_path / "postgres" / "data" / "postmaster.pid"
    orphan = int(pid_file.read_text().split()[0])  # still running
    try:
        again = Demo(port, tmp_path)
        try:
            assert "Stopping the PostgreSQL a killed demo left running" in again.output
            assert http_get(port, "tenant1.localhost", "/")[0] == 200
        finally:
            assert again.stop() == 0
    finally:
        with contextlib.suppress(ProcessLookupError):  # never leave the daemon behind
            os.kill(orphan, signal.SIGINT)
