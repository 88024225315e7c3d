"""Benchmark ``chalice local`` against upstream ``chalice==1.34.0 local``.

Both servers serve the same small app (a GET with a path parameter and a
JSON body) from the same project directory, one after the other, on this
machine. For each server and mode (concurrency 1 and 16, keep-alive on and
off) it reports requests per second and p50/p99 latency.

The load generator is ``wrk`` when installed (``apt-get install -y wrk``),
otherwise a Python one (threads over raw sockets; slower, so it caps the
numbers it can show). Upstream is installed from PyPI into
``.bench/upstream-venv`` if missing (shared with ``benchmarks/runtime.py``).

Usage: ``python benchmarks/local.py [--duration 5] [--repeat 3] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM_VENV = ROOT / ".bench" / "upstream-venv"
UPSTREAM_VERSION = "1.34.0"
PATH = "/items/42?verbose=1"

APP = """
from chalice import Chalice

app = Chalice(app_name="benchapp")


@app.route("/")
def index():
    return {"hello": "world"}


@app.route("/items/{item_id}")
def get_item(item_id):
    request = app.current_request
    return {"id": item_id, "query": dict(request.query_params or {}), "tags": ["a", "b"]}


@app.route("/items", methods=["POST"])
def create_item():
    return {"created": app.current_request.json_body}
"""


def ensure_upstream() -> Path:
    """The upstream ``chalice`` executable, installing it once if needed."""
    chalice = UPSTREAM_VENV / "bin" / "chalice"
    UPSTREAM_VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(UPSTREAM_VENV.parent / ".upstream-venv.lock", "w") as lock:
        # benchmarks/runtime.py may be creating the same venv right now.
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not chalice.exists():
            subprocess.run([sys.executable, "-m", "venv", str(UPSTREAM_VENV)], check=True)
            subprocess.run(
                [
                    str(UPSTREAM_VENV / "bin" / "pip"),
                    "install",
                    "-q",
                    f"chalice=={UPSTREAM_VERSION}",
                ],
                check=True,
            )
    return chalice


def make_project(base: Path) -> Path:
    project = base / "benchapp"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(APP)
    (project / ".chalice" / "config.json").write_text(
        json.dumps({"version": "2.0", "app_name": "benchapp", "stages": {"dev": {}}})
    )
    return project


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def running(command: list[str], cwd: Path, port: int) -> Iterator[None]:
    proc = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                    sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if sock.recv(100).startswith(b"HTTP/1."):
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {' '.join(command)}")
            time.sleep(0.1)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def run_wrk(port: int, concurrency: int, keep_alive: bool, duration: float) -> dict[str, float]:
    command = [
        "wrk", f"-t{min(concurrency, 2)}", f"-c{concurrency}", f"-d{max(1, round(duration))}s", "--latency",
        "--timeout", "10s",
    ]  # fmt: skip
    if not keep_alive:
        command += ["-H", "Connection: close"]
    output = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{PATH}"], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Socket errors: (.*)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps, "p50_ms": p50, "p99_ms": p99,
        "errors": 1.0 if errors else 0.0, "non_2xx": float(non2xx.group(1)) if non2xx else 0.0,
    }  # fmt: skip


def _read_response(sock: socket.socket, buf: bytes) -> tuple[bytes, bool]:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    return rest[length:], head.startswith(b"HTTP/1.1 200")


def run_python(port: int, concurrency: int, keep_alive: bool, duration: float) -> dict[str, float]:
    """Fallback load generator: one thread per connection over raw sockets."""
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + ("" if keep_alive else "Connection: close\r\n")
        + "\r\n"
    ).encode()
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    failures = [0]
    stop = time.monotonic() + duration

    def worker(index: int) -> None:
        sock: socket.socket | None = None
        buf = b""
        while time.monotonic() < stop:
            started = time.perf_counter()
            try:
                if sock is None:
                    sock = socket.create_connection(("127.0.0.1", port))
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    buf = b""
                sock.sendall(request)
                buf, ok = _read_response(sock, buf)
            except OSError:
                failures[0] += 1
                sock = None
                continue
            latencies[index].append(time.perf_counter() - started)
            if not ok:
                failures[0] += 1
            if not keep_alive:
                sock.close()
                sock = None

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - begun
    flat = sorted(x for per in latencies for x in per)
    if not flat:
        return {
            "rps": 0.0,
            "p50_ms": float("nan"),
            "p99_ms": float("nan"),
            "errors": 1.0,
            "non_2xx": 0.0,
        }
    return {
        "rps": len(flat) / elapsed,
        "p50_ms": statistics.median(flat) * 1000,
        "p99_ms": flat[min(len(flat) - 1, int(len(flat) * 0.99))] * 1000,
        "errors": float(failures[0]), "non_2xx": 0.0,
    }  # fmt: skip


MODES = [(1, True), (16, True), (1, False), (16, False)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument(
        "--repeat", type=int, default=1,
        help="runs per cell; the run with the median req/s is reported (the machine may be busy)",
    )  # fmt: skip
    parser.add_argument("--skip-upstream", action="store_true")
    args = parser.parse_args()
    load = run_wrk if shutil.which("wrk") else run_python
    print(f"load generator: {'wrk' if load is run_wrk else 'python threads'}; "
          f"{os.cpu_count()} CPUs; {args.duration:g} s per cell; GET {PATH}")  # fmt: skip
    servers: dict[str, list[str]] = {
        "ours": [sys.executable, "-c",
                 "import sys; from pathlib import Path; from chalice.local import run_local_server;"
                 " run_local_server(Path('.'), port=int(sys.argv[1]), autoreload=False)"],
    }  # fmt: skip
    if not args.skip_upstream:
        servers["upstream"] = [str(ensure_upstream()), "local", "--no-autoreload", "--port"]
    results: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp))
        for name, command in servers.items():
            port = free_port()
            results[name] = {}
            with running([*command, str(port)], project, port):
                load(port, 4, True, 0.5)  # warm up
                for concurrency, keep_alive in MODES:
                    key = f"c{concurrency} {'keep-alive' if keep_alive else 'close'}"
                    runs = sorted(
                        (load(port, concurrency, keep_alive, args.duration)
                         for _ in range(max(1, args.repeat))),
                        key=lambda run: run["rps"],
                    )  # fmt: skip
                    results[name][key] = runs[len(runs) // 2]
    print(
        f"\n{'mode':<16}{'server':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs upstream':>13}"
    )
    for concurrency, keep_alive in MODES:
        key = f"c{concurrency} {'keep-alive' if keep_alive else 'close'}"
        for name in results:
            cell = results[name][key]
            ratio = ""
            if name == "ours" and "upstream" in results and results["upstream"][key]["rps"]:
                ratio = f"{cell['rps'] / results['upstream'][key]['rps']:.1f}x"
            flag = " (errors)" if cell["errors"] or cell["non_2xx"] else ""
            print(f"{key:<16}{name:<10}{cell['rps']:>10.0f}{cell['p50_ms']:>10.2f}"
                  f"{cell['p99_ms']:>10.2f}{ratio:>13}{flag}")  # fmt: skip
    ours = results["ours"]["c16 keep-alive"]
    target_ok = ours["rps"] >= 5000 and ours["p99_ms"] < 20
    print(
        f"\ntarget (>= 5000 req/s, p99 < 20 ms at c16 keep-alive): {'met' if target_ok else 'MISSED'}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
