"""Package a Chalice project as SAM for the CDK construct, without touching it.

The construct's stage (named after the enclosing CDK scope) and its
``stage_config`` exist only in the CDK app, so the project's own
``.chalice/config.json`` must not be rewritten to hold them. Instead the
project is copied to a scratch directory whose config has that stage, and
``chalice package`` runs there in-process. The copy shares the project's
``.chalice/deployments`` build cache, so repeated synths reuse built
dependencies exactly as ``chalice package`` in the project would.

No AWS call and no CDK import here: this module is plain packaging.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.config_file import config_path, read_config_file
from chalice.errors import ConfigError

# Not part of the app: large, private, or rebuilt by this very step.
_NOT_COPIED = (
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "*.pyc",
    "cdk.out",
    "chalice.out",
)
# Under .chalice/: the build cache is linked, not copied; state and venvs are not needed.
_NOT_COPIED_CONFIG = ("deployments", "deployed", "deployed.json", "venv")

SAM_FILE = "sam.json"


def config_with_stage(
    config: Any, *, stage: str, stage_config: Mapping[str, Any] | None, source: str
) -> dict[str, Any]:
    """The config document with ``stage_config`` as stage ``stage`` (a new dict).

    ``stage_config`` replaces any stage of that name in the file; None keeps the
    file as it is (the stage then gets the top-level settings).
    """
    if not isinstance(config, dict):
        raise ConfigError(
            "The project config must be a JSON object.",
            where=source,
            fix='Start from {"version": "2.0", "app_name": "myapp"}.',
        )
    document = copy.deepcopy(config)
    if stage_config is None:
        return document
    if not isinstance(stage_config, Mapping):
        raise ConfigError(
            f"stage_config must be a dict shaped like a stage of .chalice/config.json, "
            f"not {type(stage_config).__name__}.",
            where=f"chalice.cdk.Chalice(stage_config=...) for stage {stage!r}",
            fix="Pass e.g. {'environment_variables': {'TABLE': table.table_name}}.",
        )
    stages = document.get("stages")
    stages = dict(stages) if isinstance(stages, dict) else {}
    stages[stage] = copy.deepcopy(dict(stage_config))
    document["stages"] = stages
    return document


def package_for_cdk(
    source_dir: Path,
    out_dir: Path,
    *,
    stage: str,
    stage_config: Mapping[str, Any] | None,
) -> Path:
    """Write ``sam.json`` and the zips for ``stage`` into ``out_dir``; return the template.

    ``out_dir`` is emptied first (a stale layer zip must not linger).
    Raises the ``UserError`` subclasses ``chalice package`` raises.
    """
    from chalice.package import package_app

    source_dir = source_dir.resolve()
    source = config_path(source_dir)
    document = config_with_stage(
        read_config_file(source), stage=stage, stage_config=stage_config, source=str(source)
    )
    if out_dir.exists():
        shutil.rmtree(out_dir)
    with tempfile.TemporaryDirectory(prefix="chalice-cdk-") as work:
        project = Path(work) / source_dir.name
        # Symlinks followed, as the packager does: a relative link would break in the copy.
        shutil.copytree(source_dir, project, ignore=_ignore)
        config_dir = project / ".chalice"
        config_dir.mkdir(exist_ok=True)
        (config_dir / "config.json").write_text(json.dumps(document, indent=2), encoding="utf-8")
        cache = source_dir / ".chalice" / "deployments"
        cache.mkdir(parents=True, exist_ok=True)
        (config_dir / "deployments").symlink_to(cache, target_is_directory=True)
        package_app(project, out_dir, stage=stage)
    return out_dir / SAM_FILE


def _ignore(directory: str, names: list[str]) -> set[str]:
    ignored = set(shutil.ignore_patterns(*_NOT_COPIED)(directory, names))
    if Path(directory).name == ".chalice":
        ignored.update(name for name in names if name in _NOT_COPIED_CONFIG)
    return ignored
