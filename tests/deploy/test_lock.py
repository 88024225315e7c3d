"""The stage lock: one writer, a clear message naming the holder, force-unlock."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from chalice.deploy.lock import StageLock, lock_path
from chalice.errors import LockError


def test_second_holder_fails_at_once_naming_the_first(tmp_path: Path) -> None:
    with StageLock(tmp_path, "dev", command="chalice deploy"):
        info = json.loads(lock_path(tmp_path, "dev").read_text())
        assert info["pid"] == os.getpid() and info["host"] == socket.gethostname()
        assert info["command"] == "chalice deploy" and info["time"]
        with pytest.raises(LockError) as err:
            StageLock(tmp_path, "dev", command="chalice delete").acquire()
        msg = str(err.value)
        assert "Stage 'dev' is locked by 'chalice deploy'" in msg
        assert f"pid {os.getpid()}" in msg
        assert "--force-unlock" in msg and str(lock_path(tmp_path, "dev")) in msg
        # Other stages are independent.
        with StageLock(tmp_path, "prod", command="chalice deploy"):
            pass
    assert not lock_path(tmp_path, "dev").exists()


def test_released_on_error(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError):
        with StageLock(tmp_path, "dev", command="chalice deploy"):
            raise RuntimeError("boom")
    assert not lock_path(tmp_path, "dev").exists()


def test_stale_lock_is_reported_and_can_be_forced(tmp_path: Path) -> None:
    path = lock_path(tmp_path, "dev")
    path.parent.mkdir(parents=True)
    # A pid that cannot be running (beyond pid_max on Linux).
    path.write_text(
        json.dumps(
            {
                "pid": 2**22 + 7,
                "host": socket.gethostname(),
                "time": "2020-01-01T00:00:00+00:00",
                "command": "chalice deploy",
            }
        )
    )
    with pytest.raises(LockError, match="no longer running, so the lock is stale"):
        StageLock(tmp_path, "dev", command="chalice deploy").acquire()
    with StageLock(tmp_path, "dev", command="chalice deploy", force=True):
        assert json.loads(path.read_text())["pid"] == os.getpid()
    assert not path.exists()
