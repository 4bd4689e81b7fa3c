"""The README's demo command: start it, fetch every tenant's page over HTTP, stop it, and run
it again on the same data."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
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


class Demo:
    def __init__(self, port: int, data_dir: Path, python: Path | str = sys.executable) -> None:
        self.port = port
        self.process = subprocess.Popen(
            [
                python,
                "-m",
                "sandbox.demo",
                "--port",
                str(port),
                "--data-dir",
                str(data_dir),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
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
        self.process.send_signal(signal.SIGINT)
        code = self.process.wait(timeout=60)
        self._close()
        return code

    def _close(self) -> None:
        self._pump.join(timeout=10)
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
