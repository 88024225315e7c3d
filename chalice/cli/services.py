"""Collaborators the commands build: config, deployed state, botocore clients.

One place that knows how to reach the other owners' modules, so each command
stays a few lines. Everything heavy (botocore, the config and state modules) is
imported inside the functions: importing this module must stay cheap.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chalice.config import Config


def load_config(
    project_dir: Path, *, stage: str, user_params: Mapping[str, Any] | None = None
) -> Config:
    """The project's config for ``stage`` (raises ``ConfigError`` if missing/invalid)."""
    from chalice.config import Config

    return Config.load(project_dir, stage=stage, user_params=user_params)


def require_project(project_dir: Path) -> None:
    """Raise the "not a chalice project" ``ConfigError`` unless ``project_dir`` is one.

    For the commands that only read the deployed state (``url``, ``logs``...):
    run outside a project they would otherwise report "nothing deployed",
    which sends the user looking in the wrong place.
    """
    from chalice.config import config_path, read_config_file

    path = config_path(project_dir)
    if not path.is_file():
        read_config_file(path)  # raises the error that says what to do


def deployed_values(project_dir: Path, *, stage: str, name: str) -> dict[str, Any] | None:
    """The recorded values of resource ``name`` in ``stage``, or None if not deployed.

    Raises ``ConfigError`` when ``project_dir`` is not a chalice project and
    ``StateError`` when the state file is unreadable.
    """
    from chalice.deploy.state_access import read_stage_state

    require_project(project_dir)
    state = read_stage_state(project_dir, stage)  # the local file or the S3 backend
    return state.get(name)


def deployed_function_names(project_dir: Path, *, stage: str) -> list[str]:
    """The names of the Lambda functions recorded for ``stage`` (for error hints)."""
    from chalice.deploy.state_access import read_stage_state

    state = read_stage_state(project_dir, stage)
    return [str(r["name"]) for r in state.resources if r.get("resource_type") == "lambda_function"]


def create_session(profile: str | None = None) -> Any:
    """A botocore session for ``profile`` (``AWS_ENDPOINT_URL`` etc. are honoured)."""
    import botocore.session

    from chalice import __version__

    session = botocore.session.Session(profile=profile)
    session.user_agent_extra = f"chalice/{__version__}"
    return session


def create_client(
    session: Any,
    service: str,
    *,
    read_timeout: int | None = None,
    connect_timeout: int | None = None,
    max_attempts: int | None = None,
) -> Any:
    """A botocore client of ``service`` with optional timeout/retry settings."""
    from botocore.config import Config as BotoConfig

    options: dict[str, Any] = {}
    if read_timeout is not None:
        options["read_timeout"] = read_timeout
    if connect_timeout is not None:
        options["connect_timeout"] = connect_timeout
    if max_attempts is not None:
        options["retries"] = {"max_attempts": max_attempts, "mode": "standard"}
    return session.create_client(service, config=BotoConfig(**options) if options else None)
