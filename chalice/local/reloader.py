"""Autoreload for ``chalice local``: a parent that restarts a serving worker.

The parent owns the listening socket and passes it to each worker process
(``python -m chalice.local.worker``). The worker imports the app, serves,
and polls the modification times of ``app.py``, ``chalicelib/`` and
``.chalice/config.json``; on a change it exits with ``RESTART_EXIT_CODE``
and the parent starts a fresh worker on the same socket. Connections that
arrive in between wait in the socket's backlog instead of being refused.

Stat polling needs no extra dependency and is cheap for project-sized
trees. This module never imports the user's app itself.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

RESTART_EXIT_CODE = 3
DEFAULT_POLL_SECONDS = 0.5

Snapshot = dict[str, tuple[int, int]]


def watched_files(project_dir: Path) -> Iterator[Path]:
    """The files whose change restarts the server."""
    yield project_dir / "app.py"
    yield project_dir / ".chalice" / "config.json"
    lib = project_dir / "chalicelib"
    if lib.is_dir():
        for root, dirs, files in os.walk(lib):
            dirs[:] = [d for d in dirs if d != "__pycache__" and not d.startswith(".")]
            for name in files:
                if not name.endswith((".pyc", ".pyo")):
                    yield Path(root) / name


def snapshot(project_dir: Path) -> Snapshot:
    """(mtime_ns, size) of every watched file that exists."""
    result: Snapshot = {}
    for path in watched_files(project_dir):
        try:
            stat = path.stat()
        except OSError:
            continue
        result[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return result


class FileWatcher:
    """Answers "did anything change since the last look?" by stat polling."""

    def __init__(self, project_dir: Path) -> None:
        self._project_dir = project_dir
        self._last = snapshot(project_dir)

    def changed(self) -> list[str]:
        """Paths added, removed or modified since the previous call."""
        current = snapshot(self._project_dir)
        paths = sorted(
            path
            for path in set(current) | set(self._last)
            if current.get(path) != self._last.get(path)
        )
        self._last = current
        return paths


def worker_command(project_dir: Path, fd: int, *, stage: str, poll_seconds: float) -> list[str]:
    """The argv of a worker process serving on the inherited descriptor ``fd``."""
    return [
        sys.executable,
        "-m",
        "chalice.local.worker",
        "--project-dir",
        str(project_dir),
        "--stage",
        stage,
        "--fd",
        str(fd),
        "--poll-seconds",
        str(poll_seconds),
    ]


def run_with_reloader(
    project_dir: Path,
    sock: socket.socket,
    *,
    stage: str,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
) -> int:
    """Keep a worker serving on ``sock``, restarting it on source changes.

    Returns the last worker's exit code once it stops for another reason
    (Ctrl-C, SIGTERM, a crash).
    """
    fd = sock.fileno()
    os.set_inheritable(fd, True)
    current: list[subprocess.Popen[bytes]] = []

    def forward_term(signum: int, frame: FrameType | None) -> None:
        for proc in current:
            proc.terminate()
        raise SystemExit(0)

    previous = signal.signal(signal.SIGTERM, forward_term)
    try:
        while True:
            proc = subprocess.Popen(
                worker_command(project_dir.resolve(), fd, stage=stage, poll_seconds=poll_seconds),
                pass_fds=(fd,),
            )
            current[:] = [proc]
            try:
                code = proc.wait()
            except KeyboardInterrupt:
                # The terminal sent SIGINT to the worker too; let it finish.
                try:
                    return proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    return proc.wait()
            if code != RESTART_EXIT_CODE:
                return code
    finally:
        for proc in current:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        signal.signal(signal.SIGTERM, previous)
