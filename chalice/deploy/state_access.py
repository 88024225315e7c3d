"""How commands reach a stage's state: pick the backend, lock, read, guard.

``backend_for`` turns a project's config (and ``CHALICE_STATE_BACKEND``) into
a ``StateBackend``; ``locked_stage`` is the one function deploy and delete
use to lock the stage and get its ``StageSession``; ``read_stage_state`` is
for the read-only commands (``url``, ``logs``, ``invoke``...). A stage that
has local state but none in a newly configured S3 backend is refused with
the command that moves it, so switching backends never deploys a second copy
of the app. This module decides nothing about resources.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from chalice.deploy.backend_config import BackendKind, BackendSpec, resolve
from chalice.deploy.lock import Notice
from chalice.deploy.state import DeployedState, load_state, state_path
from chalice.deploy.statebackend import (
    LocalFileBackend,
    StageSession,
    StateBackend,
    create_backend,
    local_state_exists,
    open_stage,
)
from chalice.errors import StateError


def backend_for(
    config: Any, *, project_dir: Path, session: Any = None, profile: str | None = None
) -> StateBackend:
    """The backend ``config.state_backend`` names, for ``config.app_name``."""
    spec: BackendSpec = config.state_backend
    return create_backend(
        spec,
        project_dir=Path(project_dir),
        app_name=config.app_name,
        session=session,
        profile=profile or getattr(config, "profile", None),
    )


def _unmigrated_error(backend: StateBackend, project_dir: Path, stage: str) -> StateError:
    return StateError(
        f"Stage '{stage}' has state in this checkout ({state_path(project_dir, stage)}) but "
        f"none in the configured state backend ({backend.where(stage)}).",
        where=backend.spec.source,
        fix=f"move it there first: 'chalice state migrate --stage {stage} --to s3' (or "
        "remove state_backend from the config to keep using the local file)",
    )


@contextlib.contextmanager
def locked_stage(
    backend: StateBackend,
    *,
    project_dir: Path,
    stage: str,
    command: str,
    force_unlock: bool,
    notice: Notice,
) -> Iterator[StageSession]:
    """Lock ``stage``, read its state (refusing unmigrated local state), yield, unlock."""
    with open_stage(
        backend, stage, command=command, force_unlock=force_unlock, notice=notice
    ) as session:
        if backend.spec.kind is BackendKind.S3 and not session.version.exists:
            if local_state_exists(project_dir, stage):
                raise _unmigrated_error(backend, project_dir, stage)
            # A stage's first state in this bucket: say now if history is off.
            try:
                warnings = backend.check()
            except StateError as err:  # e.g. no s3:GetBucketVersioning: not worth stopping
                warnings = [f"Warning: could not check the state bucket's versioning: {err.what}"]
            for warning in warnings:
                notice(warning)
        yield session


def read_stage_state(project_dir: Path, stage: str) -> DeployedState:
    """The recorded state of ``stage`` wherever the project keeps it (read only)."""
    import os

    from chalice.config_file import config_path

    project_dir = Path(project_dir)
    data: Any = {}
    try:
        import json

        data = json.loads(config_path(project_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = {}
    if not isinstance(data, dict):
        data = {}
    spec = resolve(data, stage, environ=os.environ)
    if spec.kind is BackendKind.LOCAL:
        return load_state(project_dir, stage)
    app_name = str(data.get("app_name") or "")
    backend = create_backend(
        spec, project_dir=project_dir, app_name=app_name, profile=data.get("profile")
    )
    return backend.read(stage)[0]


__all__ = [
    "LocalFileBackend",
    "backend_for",
    "locked_stage",
    "read_stage_state",
]
