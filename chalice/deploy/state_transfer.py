"""Moving a stage's state between the checkout and S3: pull, push, migrate.

The rule that keeps newer state from being overwritten is the S3 ETag:

* ``pull`` writes the remote document to ``.chalice/deployed/<stage>.json``
  and notes which remote version it copied in ``.<stage>.pulled.json``;
* ``push`` writes the local file to S3 only over that same version
  (``If-Match``), or when S3 has none, or the same text. Anything else means
  someone deployed since the pull: refused, naming who, unless ``force``
  (the overwritten version stays in the bucket's history);
* ``migrate`` moves a stage for good, under both stages' locks: to S3 (the
  local file is then renamed ``<stage>.json.migrated``, so no tool reads a
  stale copy), or back to the checkout (the S3 object is deleted; with
  versioning its versions remain). It refuses when the destination already
  holds a different document.

The schema carries no serial number (upstream's tools must keep reading it),
so versions are compared by ETag, never by content age. This module never
touches AWS resources, only the state objects.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

from chalice.deploy.backend_config import BackendKind
from chalice.deploy.lock import Notice
from chalice.deploy.state import DeployedState, load_state, save_state, state_path
from chalice.deploy.statebackend import (
    ABSENT,
    LocalFileBackend,
    StateBackend,
    Version,
    open_stage,
)
from chalice.errors import StateError


def pulled_marker(project_dir: Path, stage: str) -> Path:
    """Where ``pull`` notes the remote version it copied."""
    return state_path(Path(project_dir), stage).with_name(f".{stage}.pulled.json")


def migrated_path(project_dir: Path, stage: str) -> Path:
    """Where ``migrate --to s3`` moves the local file."""
    path = state_path(Path(project_dir), stage)
    return path.with_name(path.name + ".migrated")


@attrs.frozen
class Outcome:
    """What a transfer did, for the CLI to print."""

    message: str
    state: DeployedState


def _require_s3(backend: StateBackend, command: str) -> None:
    if backend.spec.kind is not BackendKind.S3:
        raise StateError(
            f"'chalice state {command}' needs an S3 state backend, and this stage uses the "
            "local file.",
            where=backend.spec.source,
            fix='add "state_backend": {"type": "s3", "bucket": "..."} to .chalice/config.json '
            "(top level or the stage), or set CHALICE_STATE_BACKEND=s3://BUCKET/PREFIX",
        )


def _local_text(project_dir: Path, stage: str) -> str | None:
    try:
        return state_path(project_dir, stage).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def pull(
    backend: StateBackend,
    project_dir: Path,
    stage: str,
    *,
    version_id: str | None = None,
    force: bool = False,
) -> Outcome:
    """Copy the remote document (or one of its versions) to the local file."""
    _require_s3(backend, "pull")
    reader: Any = backend
    state, version = (
        reader.read(stage, version_id=version_id) if version_id else backend.read(stage)
    )
    if not version.exists:
        raise StateError(
            f"There is no state for stage '{stage}' in {backend.where(stage)}.",
            where=backend.spec.source,
            fix="check the stage name and the state_backend settings ('chalice state show')",
        )
    local = _local_text(project_dir, stage)
    marker = _read_marker(project_dir, stage)
    unchanged_since_pull = (
        marker is not None and local is not None and marker.get("local_sha256") == _sha(local)
    )
    if local is not None and local != state.to_json() and not unchanged_since_pull and not force:
        raise StateError(
            f"{state_path(project_dir, stage)} differs from the remote state and was not "
            "written by an earlier pull.",
            where=str(state_path(project_dir, stage)),
            fix="move it away, or pass --force to overwrite it",
        )
    save_state(project_dir, stage, state)
    _write_marker(project_dir, stage, backend, version, state.to_json())
    which = f"version {version.version_id}" if version.version_id else f"ETag {version.token}"
    return Outcome(
        f"Wrote {state_path(project_dir, stage)} from {backend.where(stage)} ({which}).", state
    )


def push(
    backend: StateBackend, project_dir: Path, stage: str, *, force: bool, notice: Notice
) -> Outcome:
    """Write the local file to S3 over the version pulled (see the module docstring)."""
    _require_s3(backend, "push")
    local = _local_text(project_dir, stage)
    if local is None:
        raise StateError(
            f"There is no local state to push for stage '{stage}'.",
            where=str(state_path(project_dir, stage)),
            fix=f"run 'chalice state pull --stage {stage}' first, or check the stage name",
        )
    state = load_state(project_dir, stage)
    marker = _read_marker(project_dir, stage)
    with open_stage(backend, stage, command="chalice state push", notice=notice) as session:
        remote = session.version
        if remote.exists and session.state.to_json() == state.to_json():
            return Outcome(f"{backend.where(stage)} already holds this state.", state)
        pulled = marker.get("etag") if marker else None
        if remote.exists and remote.token != pulled and not force:
            raise StateError(
                f"The remote state of stage '{stage}' is not the version this checkout "
                "pulled: someone deployed since (or it was never pulled here).",
                where=backend.where(stage),
                fix=f"run 'chalice state pull --stage {stage}' and redo your change, or pass "
                "--force to overwrite it (the old version stays in the bucket's history)",
            )
        session.save(state)
        _write_marker(project_dir, stage, backend, session.version, local)
    return Outcome(f"Wrote {backend.where(stage)} from {state_path(project_dir, stage)}.", state)


def migrate(
    backend: StateBackend, project_dir: Path, stage: str, *, to: BackendKind, notice: Notice
) -> Outcome:
    """Move ``stage``'s state to ``to`` (s3: the configured bucket; local: the checkout)."""
    _require_s3(backend, "migrate")
    local_backend = LocalFileBackend(project_dir)
    with open_stage(local_backend, stage, command="chalice state migrate", notice=notice) as here:
        with open_stage(backend, stage, command="chalice state migrate", notice=notice) as there:
            if to is BackendKind.S3:
                return _to_s3(backend, project_dir, stage, here.state, here.version, there)
            return _to_local(backend, project_dir, stage, there.state, there.version, here)


def _to_s3(
    backend: StateBackend,
    project_dir: Path,
    stage: str,
    state: DeployedState,
    local_version: Version,
    there: Any,
) -> Outcome:
    if not local_version.exists and state.migrated_from is None:
        raise StateError(
            f"There is no local state for stage '{stage}' to migrate.",
            where=str(state_path(project_dir, stage)),
            fix="check the stage name; a stage never deployed needs no migration",
        )
    if there.version.exists and there.state.to_json() != state.to_json():
        raise StateError(
            f"{backend.where(stage)} already holds a different state for stage '{stage}'.",
            where=backend.where(stage),
            fix="compare them ('chalice state show'); to keep the remote one, remove the local "
            f"file; to replace it, 'chalice state pull --stage {stage} --force' then edit and push",
        )
    there.save(attrs.evolve(state, migrated_from=None))
    source = state_path(project_dir, stage)
    if source.exists():
        os.replace(source, migrated_path(project_dir, stage))
    return Outcome(
        f"Moved the state of stage '{stage}' to {backend.where(stage)}; the local copy is now "
        f"{migrated_path(project_dir, stage)} (kept for reference, never read).",
        state,
    )


def _to_local(
    backend: StateBackend,
    project_dir: Path,
    stage: str,
    state: DeployedState,
    remote: Version,
    here: Any,
) -> Outcome:
    if not remote.exists:
        raise StateError(
            f"There is no state for stage '{stage}' in {backend.where(stage)}.",
            where=backend.spec.source,
            fix="check the stage name and the state_backend settings",
        )
    if here.version.exists and here.state.to_json() != state.to_json():
        raise StateError(
            f"{state_path(project_dir, stage)} already holds a different state.",
            where=str(state_path(project_dir, stage)),
            fix="move the local file away, then migrate again",
        )
    here.save(state)
    store: Any = backend
    store.store.delete(store.spec.bucket, store.key(stage), if_match=remote.token)
    migrated_path(project_dir, stage).unlink(missing_ok=True)
    return Outcome(
        f"Moved the state of stage '{stage}' to {state_path(project_dir, stage)}. Now remove "
        "state_backend from .chalice/config.json (or unset CHALICE_STATE_BACKEND); the S3 "
        "object's earlier versions stay in the bucket.",
        state,
    )


def _sha(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_marker(project_dir: Path, stage: str) -> dict[str, Any] | None:
    try:
        data = json.loads(pulled_marker(project_dir, stage).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_marker(
    project_dir: Path, stage: str, backend: StateBackend, version: Version, text: str
) -> None:
    marker = pulled_marker(project_dir, stage)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(
        json.dumps(
            {
                "location": backend.where(stage),
                "etag": version.token,
                "version_id": version.version_id,
                "local_sha256": _sha(text),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )


__all__ = ["ABSENT", "Outcome", "migrate", "migrated_path", "pull", "pulled_marker", "push"]
