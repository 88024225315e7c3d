"""The deployed state of a stage: ``.chalice/deployed/<stage>.json``.

Schema 2.0, exactly upstream's keys (SPEC §4.7) so either tool can read the
other's file::

    {"resources": [{"name": ..., "resource_type": ..., <values>}, ...],
     "schema_version": "2.0", "backend": "api"}

Loading also migrates a legacy ``.chalice/deployed.json`` (pre-1.2 format, and
the older plain-ARN format) for the stage asked for, in memory only: the old
file is never modified, and ``DeployedState.migrated_from`` tells the caller
to announce it. Saving is atomic (temp file + fsync + rename) so a crash never
leaves a truncated file. This module never talks to AWS.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs

from chalice.errors import StateError

SCHEMA_VERSION = "2.0"


def state_dir(project_dir: Path) -> Path:
    return Path(project_dir) / ".chalice" / "deployed"


def state_path(project_dir: Path, stage: str) -> Path:
    """Where the state of ``stage`` lives: ``.chalice/deployed/<stage>.json``."""
    return state_dir(project_dir) / f"{stage}.json"


def legacy_path(project_dir: Path) -> Path:
    return Path(project_dir) / ".chalice" / "deployed.json"


@attrs.frozen
class DeployedState:
    """The recorded resources of one stage, in recorded (dependency) order.

    Immutable: ``with_resource``/``without`` return new states. Each entry is a
    dict with ``name``, ``resource_type`` and the type's value keys.
    """

    resources: tuple[dict[str, Any], ...] = ()
    backend: str = "api"
    migrated_from: Path | None = None

    @classmethod
    def empty(cls) -> DeployedState:
        return cls()

    def resource_names(self) -> list[str]:
        return [r["name"] for r in self.resources]

    def get(self, name: str) -> dict[str, Any] | None:
        """The entry named ``name`` (a copy) or None."""
        for r in self.resources:
            if r["name"] == name:
                return dict(r)
        return None

    def resource_values(self, name: str) -> dict[str, Any]:
        """The entry named ``name``; ``<domain>.api_mapping.<key>`` names its domain.

        Raises ``ValueError`` for an unknown name, like upstream.
        """
        if "api_mapping" in name:
            name = name.split(".", 1)[0]
        found = self.get(name)
        if found is None:
            raise ValueError(f"Resource does not exist: {name}")
        return found

    def with_resource(
        self, name: str, resource_type: str, values: Mapping[str, Any], *, order: Iterable[str] = ()
    ) -> DeployedState:
        """A state where ``name`` has ``values`` merged into its entry.

        A new entry goes to the position its name has in ``order`` (the plan's
        dependency order) relative to the entries already there, else last, so
        the file's order does not depend on which parallel step finished first.
        """
        entries = [dict(r) for r in self.resources]
        for entry in entries:
            if entry["name"] == name:
                entry.update(values)
                entry["resource_type"] = resource_type
                return attrs.evolve(self, resources=tuple(entries))
        new = {"name": name, "resource_type": resource_type, **values}
        rank = {n: i for i, n in enumerate(order)}
        if name in rank:
            mine = rank[name]
            for i, entry in enumerate(entries):
                if rank.get(entry["name"], -1) > mine:
                    entries.insert(i, new)
                    break
            else:
                entries.append(new)
        else:
            entries.append(new)
        return attrs.evolve(self, resources=tuple(entries))

    def without(self, name: str) -> DeployedState:
        return attrs.evolve(self, resources=tuple(r for r in self.resources if r["name"] != name))

    def to_json(self) -> str:
        """The file's text: indent 2, ``(',', ': ')`` separators, trailing newline."""
        data = {
            "resources": [dict(r) for r in self.resources],
            "schema_version": SCHEMA_VERSION,
            "backend": self.backend,
        }
        return json.dumps(data, indent=2, separators=(",", ": ")) + "\n"


def load_state(project_dir: Path, stage: str, *, app_name: str | None = None) -> DeployedState:
    """The recorded state of ``stage``; empty if never deployed.

    Falls back to migrating ``.chalice/deployed.json`` when the stage file is
    absent (``app_name`` strips the ``<app>-<stage>-`` prefix off function
    names; without it the prefix is guessed from ``api_handler_name``).
    """
    path = state_path(Path(project_dir), stage)
    if path.exists():
        return _parse(path)
    legacy = legacy_path(Path(project_dir))
    if legacy.exists():
        return _migrate(legacy, stage, app_name=app_name)
    return DeployedState.empty()


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise StateError(
            f"Unable to read the deployed state: {err}",
            where=str(path),
            fix="restore the file from version control, or move it away to start from an "
            "empty state (resources it names would then have to be deleted by hand)",
        ) from err


def _parse(path: Path) -> DeployedState:
    data = _read_json(path)
    return _from_data(data, where=str(path))


def parse_state_text(text: str, *, where: str) -> DeployedState:
    """A state from a document's text (e.g. an S3 object); ``where`` names it in errors."""
    try:
        data = json.loads(text)
    except ValueError as err:
        raise StateError(
            f"Unable to read the deployed state: {err}",
            where=where,
            fix="restore an earlier version of the document (see 'chalice state show "
            "--history'), or remove it to start from an empty state",
        ) from err
    return _from_data(data, where=where)


def _from_data(data: Any, *, where: str) -> DeployedState:
    if not isinstance(data, dict) or not isinstance(data.get("resources", []), list):
        raise StateError(
            "The deployed state is not a JSON object with a 'resources' list.",
            where=where,
            fix="restore the file from version control",
        )
    version = str(data.get("schema_version", "1.0"))
    if version != SCHEMA_VERSION:
        raise StateError(
            f"Unsupported schema version ({version}) in the deployed state.",
            where=where,
            fix=f"this chalice reads schema {SCHEMA_VERSION}; upgrade chalice, or restore "
            "the file written by this version",
        )
    resources = tuple(dict(r) for r in data.get("resources", []) if isinstance(r, dict))
    for r in resources:
        if "name" not in r or "resource_type" not in r:
            raise StateError(
                "A resource in the deployed state has no 'name' or 'resource_type'.",
                where=where,
                fix="restore the file from version control",
            )
    return DeployedState(resources=resources, backend=str(data.get("backend", "api")))


def _migrate(path: Path, stage: str, *, app_name: str | None) -> DeployedState:
    data = _read_json(path)
    if not isinstance(data, dict):
        raise _legacy_error(path, "is not a JSON object keyed by stage name")
    if stage not in data:
        return DeployedState.empty()
    old = data[stage]
    if not isinstance(old, dict):
        raise _legacy_error(path, f"has an entry for stage '{stage}' that is not an object")
    handler_name = str(old.get("api_handler_name") or "")
    prefix = f"{app_name}-{stage}-" if app_name else (f"{handler_name}-" if handler_name else "")
    functions = old.get("lambda_functions") or {}
    if not isinstance(functions, dict):
        raise _legacy_error(path, f"has a '{stage}.lambda_functions' that is not an object")
    state = DeployedState(migrated_from=path)
    for full_name, value in functions.items():
        # Pre-0.10 files hold a plain ARN string (authorizers only existed then).
        arn = value if isinstance(value, str) else None
        if isinstance(value, dict) and isinstance(value.get("arn"), str):
            arn = value["arn"]
        if arn is None:
            raise _legacy_error(path, f"has '{stage}.lambda_functions.{full_name}' without an ARN")
        short = full_name[len(prefix) :] if prefix and full_name.startswith(prefix) else full_name
        state = state.with_resource(short, "lambda_function", {"lambda_arn": arn})
    if old.get("api_handler_arn"):
        state = state.with_resource(
            "api_handler", "lambda_function", {"lambda_arn": old["api_handler_arn"]}
        )
    if old.get("rest_api_id"):
        values = {"rest_api_id": old["rest_api_id"]}
        # The legacy file names the region and API stage, so the URL (which
        # `chalice url` prints) can be rebuilt instead of being lost.
        region, api_stage = old.get("region"), old.get("api_gateway_stage")
        if isinstance(region, str) and isinstance(api_stage, str) and region and api_stage:
            suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
            values["rest_api_url"] = (
                f"https://{old['rest_api_id']}.execute-api.{region}.{suffix}/{api_stage}/"
            )
        state = state.with_resource("rest_api", "rest_api", values)
    return state


def _legacy_error(path: Path, problem: str) -> StateError:
    return StateError(
        f"The legacy deployed state {problem}, so it cannot be migrated.",
        where=str(path),
        fix="restore the file from version control, or move it away if nothing it names "
        "is deployed any more (resources it names would then have to be deleted by hand)",
    )


def save_state(
    project_dir: Path, stage: str, state: DeployedState, *, text: str | None = None
) -> Path:
    """Write the stage's state atomically (temp file, fsync, rename); returns the path.

    ``text``: ``state.to_json()`` when the caller has it already.
    """
    path = state_path(Path(project_dir), stage)
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = state.to_json()
    fd, tmp = tempfile.mkstemp(prefix=f".{stage}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return path
