"""``run_local_server`` in a real subprocess: serving, autoreload, broken edits, shutdown."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

APP = """
import os
from chalice import Chalice

app = Chalice(app_name="reloadme")


@app.route("/")
def index():
    return {"version": "VERSION", "env": os.environ.get("GREETING")}
"""


def write_app(project: Path, version: str) -> None:
    (project / "app.py").write_text(APP.replace("VERSION", version))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(
        json.dumps(
            {
                "version": "2.0",
                "app_name": "reloadme",
                "stages": {"dev": {"environment_variables": {"GREETING": "hello"}}},
            }
        )
    )
    write_app(tmp_path, "one")
    return tmp_path


class Running:
    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.1)
            except queue.Empty:
                continue
            seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"{pattern!r} not printed; got: {''.join(seen)}")


def start(project: Path, autoreload: bool) -> Running:
    code = (
        "import sys; from pathlib import Path; from chalice.local import run_local_server;"
        f" run_local_server(Path(sys.argv[1]), port=0, autoreload={autoreload})"
    )
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT)}
    env.pop("GREETING", None)
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(project)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    return Running(proc)


@pytest.fixture
def launch() -> Iterator[list[Running]]:
    started: list[Running] = []
    yield started
    for running in started:
        if running.proc.poll() is None:
            running.proc.terminate()
            try:
                running.proc.wait(10)
            except subprocess.TimeoutExpired:
                running.proc.kill()
                running.proc.wait()


def get(port: int, path: str = "/") -> tuple[int, dict[str, object]]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def poll_until(port: int, predicate, timeout: float = 15) -> tuple[int, dict[str, object]]:  # type: ignore[no-untyped-def]
    # A request racing a restart may be refused by the dying worker's
    # drain; the next one goes to the new worker, so retry until deadline.
    deadline = time.monotonic() + timeout
    result: tuple[int, dict[str, object]] = (0, {})
    while time.monotonic() < deadline:
        try:
            result = get(port)
        except (OSError, http.client.HTTPException):
            result = (0, {})
        if predicate(result):
            break
        time.sleep(0.1)
    return result


def test_autoreload_picks_up_edits_and_survives_a_broken_one(
    project: Path, launch: list[Running]
) -> None:
    server = start(project, autoreload=True)
    launch.append(server)
    port = int(server.wait_for(r"Serving on http://127\.0\.0\.1:(\d+)").group(1))
    assert get(port) == (200, {"version": "one", "env": "hello"})

    write_app(project, "second")
    assert poll_until(port, lambda r: r[1].get("version") == "second") == (
        200, {"version": "second", "env": "hello"},
    )  # fmt: skip

    (project / "app.py").write_text("from chalice import Chalice\napp = Chalice(\n")
    status, body = poll_until(port, lambda r: r[0] == 500)
    assert status == 500 and "could not load" in str(body["message"])

    write_app(project, "third!")
    assert poll_until(port, lambda r: r[0] == 200) == (200, {"version": "third!", "env": "hello"})

    # A chalicelib module counts too.
    (project / "chalicelib").mkdir()
    (project / "chalicelib" / "__init__.py").write_text("")
    server.wait_for(r"Restarting: .*chalicelib")

    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(10) == 0
    # The worker went away with its parent: nothing listens any more.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            get(port)
        except (urllib.error.URLError, ConnectionError):
            break
        time.sleep(0.1)
    else:
        pytest.fail("the worker is still serving after the parent exited")


def test_without_autoreload_bad_config_is_a_user_error(
    project: Path, launch: list[Running]
) -> None:
    (project / ".chalice" / "config.json").write_text("{broken")
    server = start(project, autoreload=False)
    launch.append(server)
    assert server.proc.wait(20) != 0
    server.wait_for(r"ConfigError|config\.json")


def test_without_autoreload_serves_in_process(project: Path, launch: list[Running]) -> None:
    server = start(project, autoreload=False)
    launch.append(server)
    port = int(server.wait_for(r"Serving on http://127\.0\.0\.1:(\d+)").group(1))
    assert get(port) == (200, {"version": "one", "env": "hello"})
    assert get(port, "/nope")[0] == 403
    server.wait_for(r'"GET /nope HTTP/1\.1" 403')
