"""One writer per stage: a lock file beside the state file.

``.chalice/deployed/<stage>.lock`` is created exclusively (``O_EXCL``) and
holds who took it (pid, host, time, command). A second deploy/delete of the
same stage fails at once with ``LockError`` naming the holder and how to
break a stale lock (``--force-unlock``, or deleting the file). The lock is
removed on release, also when the deploy failed. This module never waits
for a lock and never talks to AWS.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
from pathlib import Path
from types import TracebackType
from typing import Any

from chalice.deploy.state import state_dir
from chalice.errors import LockError


def lock_path(project_dir: Path, stage: str) -> Path:
    return state_dir(Path(project_dir)) / f"{stage}.lock"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class StageLock:
    """Context manager holding the stage's lock; ``force`` breaks an existing one."""

    def __init__(self, project_dir: Path, stage: str, *, command: str, force: bool = False) -> None:
        self.path = lock_path(project_dir, stage)
        self.stage = stage
        self.command = command
        self.force = force
        self._held = False

    def holder(self) -> dict[str, Any] | None:
        """What the lock file says about its holder, or None if unlocked."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return None
        except (OSError, ValueError):
            return {}

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.force:
            self.path.unlink(missing_ok=True)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "time": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "command": self.command,
        }
        try:
            fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise self._locked_error() from None
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(info, f)
            f.write("\n")
        self._held = True

    def _locked_error(self) -> LockError:
        holder = self.holder() or {}
        who = (
            f"'{holder.get('command', '?')}' (pid {holder.get('pid', '?')} on host "
            f"{holder.get('host', '?')}, since {holder.get('time', '?')})"
        )
        stale = ""
        if holder.get("host") == socket.gethostname() and isinstance(holder.get("pid"), int):
            if not _pid_alive(holder["pid"]):
                stale = " That process is no longer running, so the lock is stale."
        return LockError(
            f"Stage '{self.stage}' is locked by {who}.{stale}",
            where=str(self.path),
            fix="wait for that command to finish; if it is not running any more (it crashed "
            "or was killed), break the lock with 'chalice deploy --force-unlock' "
            f"(or 'chalice delete --force-unlock') or delete {self.path}",
        )

    def release(self) -> None:
        if self._held:
            self.path.unlink(missing_ok=True)
            self._held = False

    def __enter__(self) -> StageLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
