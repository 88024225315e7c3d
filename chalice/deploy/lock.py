"""One writer per stage: who holds the lock, and the local lock file.

``.chalice/deployed/<stage>.lock`` holds a ``Holder`` as JSON: who took it
(user, host, pid, CI job), when, the command. It appears with its whole
content at once (written to a temp file, fsynced, then ``link``-ed into
place, which fails if the lock exists), so a second deploy started at the
same instant never reads half a lock. A second deploy/delete of the stage
fails at once with ``LockError`` naming the holder; when the holder is
provably dead (same host and boot, and its pid is gone or is now another
process) the lock is taken over with a notice instead. ``force`` breaks any
lock. The lock is removed on release, also when the deploy failed, and on
SIGTERM (``release_on_sigterm``). This module never waits for a lock and
never talks to AWS (the S3 lock is ``chalice.deploy.state_s3``).
"""

from __future__ import annotations

import contextlib
import datetime
import getpass
import json
import os
import signal
import socket
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

import attrs

from chalice.deploy.state import state_dir
from chalice.errors import LockError

# CI systems' job identifiers, first found wins (the value names the job to a human).
CI_JOB_VARIABLES = (
    ("GITHUB_RUN_ID", "GitHub Actions run"),
    ("CI_JOB_ID", "GitLab CI job"),
    ("CODEBUILD_BUILD_ID", "CodeBuild build"),
    ("BUILDKITE_JOB_ID", "Buildkite job"),
    ("CIRCLE_WORKFLOW_JOB_ID", "CircleCI job"),
    ("BUILD_TAG", "Jenkins build"),
    ("TRAVIS_JOB_ID", "Travis job"),
    ("BITBUCKET_BUILD_NUMBER", "Bitbucket build"),
    ("SYSTEM_JOBID", "Azure Pipelines job"),
)

Notice = Callable[[str], None]


def lock_path(project_dir: Path, stage: str) -> Path:
    """Where the local lock of ``stage`` lives: ``.chalice/deployed/<stage>.lock``."""
    return state_dir(Path(project_dir)) / f"{stage}.lock"


def ci_job(environ: Mapping[str, str]) -> str | None:
    """``"GitHub Actions run 123"`` etc. when running in a known CI system."""
    for variable, label in CI_JOB_VARIABLES:
        value = environ.get(variable)
        if value:
            return f"{label} {value}"
    return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers without a passwd entry)
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "?"


def _boot_id() -> str | None:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip() or None
    except OSError:
        return None


def process_start(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, Linux), to tell a reused pid apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; fields after it are fixed.
    fields = stat.rsplit(")", 1)[-1].split()
    return fields[19] if len(fields) > 19 else None


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


@attrs.frozen
class Holder:
    """Who holds a stage's lock. ``lease_expires`` is set for leased (S3) locks."""

    command: str
    user: str = "?"
    host: str = "?"
    pid: int | None = None
    time: str = "?"
    ci_job: str | None = None
    token: str = ""
    boot_id: str | None = None
    pid_start: str | None = None
    lease_seconds: float | None = None
    lease_expires: str | None = None

    @classmethod
    def current(
        cls,
        command: str,
        *,
        environ: Mapping[str, str] | None = None,
        now: datetime.datetime | None = None,
    ) -> Holder:
        """The holder this process would be."""
        pid = os.getpid()
        when = now or datetime.datetime.now(datetime.timezone.utc)
        return cls(
            command=command,
            user=_user(),
            host=socket.gethostname(),
            pid=pid,
            time=when.isoformat(timespec="seconds"),
            ci_job=ci_job(os.environ if environ is None else environ),
            token=uuid.uuid4().hex,
            boot_id=_boot_id(),
            pid_start=process_start(pid),
        )

    @classmethod
    def from_dict(cls, data: Any) -> Holder:
        """A holder from a lock's JSON; missing or odd fields become ``?``."""
        if not isinstance(data, dict):
            data = {}

        def text(key: str, default: str | None = "?") -> Any:
            value = data.get(key)
            return str(value) if isinstance(value, (str, int, float)) else default

        pid = data.get("pid")
        lease = data.get("lease_seconds")
        return cls(
            command=text("command"),
            user=text("user"),
            host=text("host"),
            pid=pid if isinstance(pid, int) and not isinstance(pid, bool) else None,
            time=text("time"),
            ci_job=text("ci_job", None),
            token=text("token", ""),
            boot_id=text("boot_id", None),
            pid_start=text("pid_start", None),
            lease_seconds=float(lease) if isinstance(lease, (int, float)) else None,
            lease_expires=text("lease_expires", None),
        )

    def to_json(self) -> str:
        """The lock's content (upstream-style keys first, ``None`` fields left out)."""
        data = {k: v for k, v in attrs.asdict(self).items() if v is not None}
        return json.dumps(data, indent=2) + "\n"

    def describe(self) -> str:
        """``'chalice deploy' by alice on host ci-7 (pid 42, GitHub Actions run 9), since ...``."""
        extra = [f"pid {self.pid if self.pid is not None else '?'}"]
        if self.ci_job:
            extra.append(self.ci_job)
        text = (
            f"'{self.command}' by {self.user} on host {self.host} ({', '.join(extra)}), "
            f"since {self.time}"
        )
        if self.lease_expires:
            text += f", lease until {self.lease_expires}"
        return text

    def provably_dead(self) -> bool:
        """True only when this host can tell the holder process no longer exists.

        Same host name and boot, and its pid is gone, or now belongs to a
        process that started at another time (the pid was reused).
        """
        if self.host != socket.gethostname() or self.pid is None:
            return False
        boot = _boot_id()
        if self.boot_id and boot and self.boot_id != boot:
            return True  # the machine rebooted since: every process of then is gone
        if not pid_alive(self.pid):
            return True
        start = process_start(self.pid)
        return bool(self.pid_start and start and start != self.pid_start)


def _write_complete(directory: Path, text: str) -> Path:
    """A temp file in ``directory`` holding ``text``, fsynced (to be linked into place)."""
    fd, tmp = tempfile.mkstemp(prefix=".lock.", suffix=".tmp", dir=directory)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    return Path(tmp)


def _place(tmp: Path, path: Path) -> bool:
    """Link the complete ``tmp`` to ``path``; False if ``path`` exists (held)."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    return True


class StageLock:
    """Context manager holding the stage's local lock; ``force`` breaks an existing one.

    ``notice`` receives the message when a dead holder's lock is taken over.
    """

    def __init__(
        self,
        project_dir: Path,
        stage: str,
        *,
        command: str,
        force: bool = False,
        notice: Notice | None = None,
    ) -> None:
        self.path = lock_path(project_dir, stage)
        self.stage = stage
        self.command = command
        self.force = force
        self.notice = notice
        self.me: Holder | None = None

    def holder(self) -> Holder | None:
        """Who the lock file names, or None if unlocked."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError:
            return Holder.from_dict({})
        try:
            return Holder.from_dict(json.loads(text))
        except ValueError:
            return Holder.from_dict({})

    def acquire(self) -> None:
        """Take the lock or raise ``LockError`` naming its live holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        me = Holder.current(self.command)
        tmp = _write_complete(self.path.parent, me.to_json())
        try:
            if self.force:
                self.path.unlink(missing_ok=True)
            if not _place(tmp, self.path):
                self._take_over_or_refuse(tmp)
        finally:
            tmp.unlink(missing_ok=True)
        self.me = me

    def _take_over_or_refuse(self, tmp: Path) -> None:
        seen = self.holder()
        if seen is None:  # released between our attempt and the read
            if _place(tmp, self.path):
                return
            seen = self.holder()
        if seen is None or not seen.provably_dead():
            raise self._locked_error(seen)
        # Two deploys may find the same dead holder: a guard file (created
        # exclusively) lets one of them replace it; the other is refused.
        guard = self.path.with_name(self.path.name + ".takeover")
        try:
            fd = os.open(guard, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            raise self._locked_error(self.holder()) from None
        try:
            os.close(fd)
            again = self.holder()
            if again is not None and again != seen:
                raise self._locked_error(again)
            self.path.unlink(missing_ok=True)
            if not _place(tmp, self.path):
                raise self._locked_error(self.holder())
        finally:
            guard.unlink(missing_ok=True)
        if self.notice is not None:
            self.notice(
                f"Took over the lock of stage '{self.stage}' from {seen.describe()}: that "
                "process is no longer running on this host."
            )

    def _locked_error(self, holder: Holder | None) -> LockError:
        who = holder.describe() if holder is not None else "another command (it just finished)"
        stale = ""
        if holder is not None and holder.pid is not None and holder.host == socket.gethostname():
            if holder.provably_dead():
                stale = " That process is no longer running, so the lock is stale."
        return LockError(
            f"Stage '{self.stage}' is locked by {who}.{stale}",
            where=str(self.path),
            fix="wait for that command to finish; if it is not running any more (it crashed "
            "or was killed on another machine), break the lock with 'chalice unlock --stage "
            f"{self.stage}' or 'chalice deploy --force-unlock' (or delete {self.path})",
        )

    def release(self) -> None:
        """Remove the lock if this process holds it (never someone else's)."""
        if self.me is None:
            return
        current = self.holder()
        if current is not None and current.token == self.me.token:
            self.path.unlink(missing_ok=True)
        self.me = None

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


class Terminated(SystemExit):
    """Raised in the main thread on SIGTERM, so ``with`` blocks release their locks."""


@contextlib.contextmanager
def release_on_sigterm() -> Iterator[None]:
    """While inside, SIGTERM unwinds the main thread (exit status 143) instead of
    killing the process outright, so the locks held are released.

    A no-op outside the main thread or when someone else handles SIGTERM.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    try:
        previous = signal.getsignal(signal.SIGTERM)
    except (ValueError, AttributeError):
        yield
        return
    if previous not in (signal.SIG_DFL, None):
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a second SIGTERM kills at once
        raise Terminated(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
