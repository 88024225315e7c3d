"""``.chalice/config.json`` as a file: where it is, reading it, and a stage it lacks.

``chalice.config.Config`` layers the parsed document; this module only finds
and parses it, with errors that name the file (and line/column) and the fix.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chalice.errors import ConfigError


def unknown_stage_warning(data: Any, stage: str, *, source: str) -> str | None:
    """A warning when ``--stage`` names a stage the config does not define.

    Deploying a stage with no section is allowed (upstream too: it gets the
    top-level settings), but it is usually a typo that would create a whole
    second copy of the app, so say it before anything happens.
    """
    from chalice.configkeys import suggest

    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict) or not stages or stage in stages:
        return None
    defined = ", ".join(f"`{name}`" for name in sorted(stages))
    return (
        f"Stage `{stage}` is not defined in {source} (it defines {defined}); it gets only "
        f"the top-level settings.{suggest(stage, stages)} If `{stage}` is intended, add "
        f'"{stage}": {{}} under "stages" to silence this warning.'
    )


def config_path(project_dir: str | Path) -> Path:
    """``<project>/.chalice/config.json``."""
    return Path(project_dir) / ".chalice" / "config.json"


def read_config_file(path: Path) -> Any:
    """The parsed JSON of ``path``; ``ConfigError`` naming the file (and line/column)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            "Unable to load the project config file. Are you sure this is a chalice project?",
            where=str(path),
            fix="Run the command from your project's directory (or pass --project-dir), "
            "or create a project with `chalice new-project`.",
        ) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(
            f"Unable to read the project config file: {err}.",
            where=str(path),
            fix="Make sure the file is readable UTF-8 text.",
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise ConfigError(
            f"Unable to load the project config file: invalid JSON ({err.msg}) at line "
            f"{err.lineno}, column {err.colno}.",
            where=f"{path}:{err.lineno}:{err.colno}",
            fix="Fix the JSON syntax there (a missing comma or quote, or a trailing comma, "
            "is the usual cause).",
        ) from None
