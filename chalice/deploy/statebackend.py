"""The one seam between a deploy and where its stage's state lives.

A ``StateBackend`` answers four questions: read the stage's document (with a
``Version`` token), write it only if it is still the version read
(``expected``), lock the stage, and say or break who holds the lock. Two
implementations: ``LocalFileBackend`` (the checkout's
``.chalice/deployed/<stage>.json`` and ``.lock``, byte-identical to before)
and ``chalice.deploy.state_s3.S3Backend``.

``open_stage`` is what deploy and delete call: it locks the stage (releasing
on SIGTERM too), reads the state and yields a ``StageSession`` whose
``save`` the executor's recorder calls after every resource, so "the state
is written after every resource" holds for both backends. A write refused
because someone else wrote first raises ``StateConflictError`` naming them.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Protocol

import attrs

from chalice.deploy.backend_config import BackendKind, BackendSpec
from chalice.deploy.lock import Holder, Notice, StageLock, release_on_sigterm
from chalice.deploy.state import (
    DeployedState,
    legacy_path,
    load_state,
    save_state,
    state_path,
)
from chalice.errors import StateError


class StateConflictError(StateError):
    """Someone else wrote the stage's state since this command read it."""


@attrs.frozen
class Version:
    """What was read: ``token`` (S3 ETag, or SHA-256 of the local file), None if absent."""

    token: str | None = None
    version_id: str | None = None

    @property
    def exists(self) -> bool:
        return self.token is not None


ABSENT = Version()


class HeldLock(Protocol):
    """A lock this process holds until ``release``."""

    holder: Holder

    def release(self) -> None:
        """Give the lock up (only if still ours)."""
        ...


class StateBackend(Protocol):
    """Where stages' state documents and locks live (one project, one backend)."""

    spec: BackendSpec

    def where(self, stage: str) -> str:
        """The state's location, for messages (a path or an s3:// URL)."""
        ...

    def check(self) -> list[str]:
        """Raise ``StateError`` if the backend cannot be used; return warnings."""
        ...

    def read(self, stage: str) -> tuple[DeployedState, Version]:
        """The stage's state (empty if none) and the version read."""
        ...

    def write(self, stage: str, state: DeployedState, *, expected: Version) -> Version:
        """Write ``state`` if the stored version is still ``expected``; the new version."""
        ...

    def acquire(self, stage: str, *, command: str, force: bool, notice: Notice) -> HeldLock:
        """Lock ``stage`` or raise ``LockError`` naming the holder."""
        ...

    def holder(self, stage: str) -> Holder | None:
        """Who holds the lock of ``stage``, or None."""
        ...

    def break_lock(self, stage: str) -> Holder | None:
        """Remove the lock of ``stage`` whoever holds it; who held it."""
        ...


def text_token(text: str) -> str:
    """The local backend's version token: the SHA-256 of the file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _LocalHeld:
    def __init__(self, lock: StageLock) -> None:
        self._lock = lock
        assert lock.me is not None
        self.holder: Holder = lock.me

    def release(self) -> None:
        self._lock.release()


class LocalFileBackend:
    """Today's files in the checkout; the default backend."""

    def __init__(self, project_dir: Path, *, app_name: str | None = None) -> None:
        self.project_dir = Path(project_dir)
        self.app_name = app_name
        self.spec = BackendSpec()

    def where(self, stage: str) -> str:
        return str(state_path(self.project_dir, stage))

    def check(self) -> list[str]:
        return []

    def read(self, stage: str) -> tuple[DeployedState, Version]:
        state = load_state(self.project_dir, stage, app_name=self.app_name)
        path = state_path(self.project_dir, stage)
        try:
            return state, Version(token=text_token(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return state, ABSENT

    def write(self, stage: str, state: DeployedState, *, expected: Version) -> Version:
        # The lock makes this process the only writer; the check still
        # catches a hand edit or a second checkout sharing the directory.
        path = state_path(self.project_dir, stage)
        try:
            current: str | None = text_token(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            current = None
        if current != expected.token:
            raise StateConflictError(
                f"The state of stage '{stage}' changed on disk while this command ran.",
                where=str(path),
                fix="another process or an edit changed it: check the file (and 'git diff'), "
                "then run the command again",
            )
        save_state(self.project_dir, stage, state)
        return Version(token=text_token(state.to_json()))

    def acquire(self, stage: str, *, command: str, force: bool, notice: Notice) -> HeldLock:
        lock = StageLock(self.project_dir, stage, command=command, force=force, notice=notice)
        lock.acquire()
        return _LocalHeld(lock)

    def holder(self, stage: str) -> Holder | None:
        return StageLock(self.project_dir, stage, command="?").holder()

    def break_lock(self, stage: str) -> Holder | None:
        lock = StageLock(self.project_dir, stage, command="?")
        held = lock.holder()
        lock.path.unlink(missing_ok=True)
        return held


def create_backend(
    spec: BackendSpec,
    *,
    project_dir: Path,
    app_name: str,
    session: object = None,
    profile: str | None = None,
) -> StateBackend:
    """The backend ``spec`` names (S3 clients come from ``session`` or ``profile``)."""
    if spec.kind is BackendKind.LOCAL:
        return LocalFileBackend(project_dir, app_name=app_name)
    from chalice.deploy.state_s3 import S3Backend

    return S3Backend.create(
        spec, project_dir=project_dir, app_name=app_name, session=session, profile=profile
    )


class StageSession:
    """The locked stage during one command: its state and the version written last.

    ``save`` is thread-safe (steps finish on many threads) and skips a write
    whose text is the one already stored.
    """

    def __init__(
        self, backend: StateBackend, stage: str, state: DeployedState, version: Version
    ) -> None:
        self.backend = backend
        self.stage = stage
        self.state = state
        self.version = version
        self.writes = 0
        self._stored = state.to_json() if version.exists and state.migrated_from is None else None
        self._lock = threading.Lock()

    def save(self, state: DeployedState) -> None:
        """Store ``state`` (conditional on the version this session wrote or read)."""
        text = state.to_json()
        with self._lock:
            if text == self._stored:
                return
            self.version = self.backend.write(self.stage, state, expected=self.version)
            self._stored = text
            self.state = state
            self.writes += 1


@contextlib.contextmanager
def open_stage(
    backend: StateBackend,
    stage: str,
    *,
    command: str,
    force_unlock: bool = False,
    notice: Notice,
    on_locked: Callable[[], None] | None = None,
) -> Iterator[StageSession]:
    """Lock ``stage`` on ``backend``, read its state, yield the session, unlock.

    The lock is released on any exit, SIGTERM included.
    """
    with release_on_sigterm():
        held = backend.acquire(stage, command=command, force=force_unlock, notice=notice)
        try:
            if on_locked is not None:
                on_locked()
            state, version = backend.read(stage)
            yield StageSession(backend, stage, state, version)
        finally:
            held.release()


def local_state_exists(project_dir: Path, stage: str) -> bool:
    """Whether the checkout has a state for ``stage`` (the stage file or a legacy one)."""
    path = state_path(Path(project_dir), stage)
    if path.exists():
        return True
    return legacy_path(Path(project_dir)).exists() and bool(
        load_state(Path(project_dir), stage).resources
    )
