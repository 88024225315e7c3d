"""The local stage lock: one writer, whole content, dead holders taken over, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from chalice.deploy.lock import Holder, StageLock, ci_job, lock_path, release_on_sigterm
from chalice.errors import LockError

ROOT = Path(__file__).resolve().parents[2]
DEAD_PID = 2**22 + 7  # beyond Linux's pid_max: never running


def _write_holder(path: Path, **fields: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"pid": DEAD_PID, "host": socket.gethostname(), "time": "2020-01-01T00:00:00+00:00",
            "command": "chalice deploy"}  # fmt: skip
    data.update(fields)
    path.write_text(json.dumps(data))


def test_second_holder_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    with StageLock(tmp_path, "dev", command="chalice deploy"):
        info = json.loads(lock_path(tmp_path, "dev").read_text())
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert info["command"] == "chalice deploy" and info["time"] and info["user"]
        with pytest.raises(LockError) as err:
            StageLock(tmp_path, "dev", command="chalice delete").acquire()
        msg = str(err.value)
        assert "Stage 'dev' is locked by 'chalice deploy'" in msg
        assert f"pid {os.getpid()}" in msg
        assert "chalice unlock --stage dev" in msg and "--force-unlock" in msg
        assert str(lock_path(tmp_path, "dev")) in msg
        # Other stages are independent.
        with StageLock(tmp_path, "prod", command="chalice deploy"):
            pass
    assert not lock_path(tmp_path, "dev").exists()


def test_released_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with StageLock(tmp_path, "dev", command="chalice deploy"):
            raise RuntimeError("boom")
    assert not lock_path(tmp_path, "dev").exists()


def test_dead_holder_on_this_host_is_taken_over_with_a_notice(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "dev")
    _write_holder(path)
    notices: list[str] = []
    with StageLock(tmp_path, "dev", command="chalice deploy", notice=notices.append):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not path.exists()
    assert len(notices) == 1 and "Took over the lock of stage 'dev'" in notices[0]
    assert f"pid {DEAD_PID}" in notices[0] and "no longer running" in notices[0]


def test_reused_pid_counts_as_dead(tmp_path: Path) -> None:
    # Our own pid, but recorded with another start time: the holder is gone.
    path = lock_path(tmp_path, "dev")
    _write_holder(path, pid=os.getpid(), pid_start="1")
    holder = StageLock(tmp_path, "dev", command="x").holder()
    assert holder is not None
    if Holder.current("x").pid_start is None:
        pytest.skip("no /proc: process start times are unknown here")
    assert holder.provably_dead()
    with StageLock(tmp_path, "dev", command="chalice deploy", notice=lambda _m: None):
        pass


def test_live_or_remote_holders_are_refused(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "dev")
    _write_holder(path, pid=os.getpid(), pid_start=Holder.current("x").pid_start)
    with pytest.raises(LockError, match="locked by"):
        StageLock(tmp_path, "dev", command="chalice deploy").acquire()
    # A holder on another host cannot be judged from here: refused, never taken over.
    _write_holder(path, host="some-other-host")
    with pytest.raises(LockError) as err:
        StageLock(tmp_path, "dev", command="chalice deploy").acquire()
    assert "some-other-host" in str(err.value) and "stale" not in str(err.value)
    with StageLock(tmp_path, "dev", command="chalice deploy", force=True):
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_only_one_of_two_concurrent_takeovers_wins(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "dev")
    _write_holder(path)
    start = threading.Barrier(8)
    won: list[StageLock] = []
    refused: list[str] = []
    guard = threading.Lock()

    def contend() -> None:
        lock = StageLock(tmp_path, "dev", command="chalice deploy", notice=lambda _m: None)
        start.wait()
        try:
            lock.acquire()
        except LockError as err:
            with guard:
                refused.append(str(err))
        else:
            with guard:
                won.append(lock)

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Every thread is this process, so the winner is alive to the others.
    assert len(won) == 1 and len(refused) == 7
    assert all("'?'" not in m and "pid ?" not in m for m in refused)
    won[0].release()
    assert not path.exists()


def test_lock_content_is_never_partial(tmp_path: Path) -> None:
    # The lock appears by link(2) of a complete temp file: a reader racing the
    # writer sees either no lock or the whole JSON.
    with StageLock(tmp_path, "dev", command="chalice deploy"):
        text = lock_path(tmp_path, "dev").read_text()
        assert json.loads(text)["command"] == "chalice deploy"
    leftovers = [p.name for p in lock_path(tmp_path, "dev").parent.iterdir()]
    assert leftovers == []


def test_release_never_removes_someone_elses_lock(tmp_path: Path) -> None:
    lock = StageLock(tmp_path, "dev", command="chalice deploy")
    lock.acquire()
    _write_holder(lock_path(tmp_path, "dev"), host="elsewhere", pid=1)  # broken and retaken
    lock.release()
    assert lock_path(tmp_path, "dev").exists()


def test_ci_job_names_the_ci_system() -> None:
    assert ci_job({"GITHUB_RUN_ID": "77"}) == "GitHub Actions run 77"
    assert ci_job({"CI_JOB_ID": "5"}) == "GitLab CI job 5"
    assert ci_job({}) is None
    holder = Holder.current("chalice deploy", environ={"CODEBUILD_BUILD_ID": "proj:1"})
    assert "CodeBuild build proj:1" in holder.describe()


def test_holder_from_garbage_is_question_marks() -> None:
    holder = Holder.from_dict({"pid": "x", "host": None})
    assert holder.pid is None and holder.host == "?" and not holder.provably_dead()
    assert Holder.from_dict([1, 2]).command == "?"


CHILD = r"""
import sys, os, signal
sys.path.insert(0, {root!r})
from pathlib import Path
from chalice.deploy.lock import StageLock, release_on_sigterm
with release_on_sigterm():
    with StageLock(Path({project!r}), "dev", command="chalice deploy"):
        sys.stdout.write("locked\n")
        sys.stdout.flush()
        sys.stdin.readline()  # blocks until the parent's SIGTERM
"""


def test_sigterm_releases_the_lock(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(root=str(ROOT), project=str(tmp_path))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline() == "locked\n"  # synchronised on the child's output
    assert lock_path(tmp_path, "dev").exists()
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert not lock_path(tmp_path, "dev").exists()
    assert proc.stdin is not None
    proc.stdin.close()
    proc.stdout.close()


def test_release_on_sigterm_leaves_other_handlers_alone() -> None:
    def mine(signum: int, frame: object) -> None:  # pragma: no cover - never called
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        with release_on_sigterm():
            assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)
