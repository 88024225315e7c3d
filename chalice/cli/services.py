"""Collaborators the commands build: config, deployed state, AWS service wrappers.

One place that knows how to reach the other owners' modules, so each command
stays a few lines. AWS is reached only through ``chalice.aws`` (one seam for
deploy and the other commands). Everything heavy (botocore, the config and
state modules) is imported inside the functions: importing this module must
stay cheap.
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
    from chalice.config_file import config_path, read_config_file

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


def service_client(
    service: str,
    *,
    profile: str | None = None,
    read_timeout: int | None = None,
    max_attempts: int | None = None,
) -> Any:
    """The ``chalice.aws`` wrapper of ``service`` (``logs``, ``lambda`` or ``apigateway``).

    The same session, user agent, retry table and pacing as a deploy;
    ``read_timeout``/``max_attempts`` as ``AWSClients`` takes them. The wrappers
    answer the botocore-named calls the commands need (``filter_log_events``,
    ``invoke``, ``get_sdk``) and raise ``AWSError``/``AWSSetupError``.
    """
    from chalice.aws.session import create_clients

    clients = create_clients(
        profile=profile, read_timeout=read_timeout, max_attempts=max_attempts
    )
    if service == "logs":
        return clients.logs
    if service == "lambda":
        return clients.lambda_
    if service == "apigateway":
        return clients.apigateway
    raise ValueError(f"no chalice.aws wrapper for the CLI's use of {service!r}")
