"""The CodeBuild buildspec of ``chalice generate-pipeline``.

The build installs this distribution (or ``--chalice-requirement``) and the
app's requirements, then runs ``chalice package`` and uploads the SAM template
for CloudFormation (or, with the S3 state backend, runs ``chalice deploy``).
``v1`` templates use buildspec 0.1, ``v2`` buildspec 0.2 with a pinned Python
runtime. Pure: functions return the buildspec as data or YAML text; the CLI
writes the files.
"""

from __future__ import annotations

import shlex
from typing import Any

from chalice.errors import UserError
from chalice.pipeline_params import PipelineParameters, PipelineVersion


class InvalidChaliceRequirementError(UserError):
    """``--chalice-requirement`` is empty or cannot be split into pip arguments."""

    exit_code = 2


def default_chalice_requirement(chalice_version: str) -> str:
    """This distribution pinned to the version that generated the template.

    Upstream's ``chalice`` on PyPI is another project: the build must install
    the same tool that wrote the template, or it packages a different app.
    """
    from chalice import __distribution__

    return f"{__distribution__}=={chalice_version}"


def pip_install_command(requirement: str) -> str:
    """``pip install`` with ``requirement`` split like a shell and each part quoted.

    ``requirement`` may carry pip options (``--index-url URL``, ``--find-links
    DIR``) next to the specifier; quoting each part keeps ``<`` and ``>`` away
    from the build's shell.
    """
    try:
        parts = shlex.split(requirement)
    except ValueError as err:
        raise InvalidChaliceRequirementError(
            f"Cannot read --chalice-requirement {requirement!r}: {err}.",
            fix="Balance the quotes, e.g. --chalice-requirement 'chalice-ng==1.35.0'.",
        ) from None
    if not parts:
        raise InvalidChaliceRequirementError(
            "--chalice-requirement is empty.",
            fix="Pass what the build should 'pip install', e.g. 'chalice-ng==1.35.0' or "
            "'--index-url https://pypi.example.com/simple chalice-ng==1.35.0'.",
        )
    return "pip install " + " ".join(shlex.quote(part) for part in parts)


def create_buildspec(params: PipelineParameters) -> dict[str, Any]:
    """The CodeBuild buildspec: install chalice and the app's requirements, package, upload."""
    package = [
        "chalice package /tmp/packaged",
        "aws cloudformation package --template-file /tmp/packaged/sam.json "
        "--s3-bucket ${APP_S3_BUCKET} --output-template-file transformed.yaml",
    ]
    if params.state_backend_s3:
        from chalice.pipeline_state import deploy_commands

        package = deploy_commands()
    install = [
        pip_install_command(
            default_chalice_requirement(params.chalice_version)
            if params.chalice_requirement is None
            else params.chalice_requirement
        ),
        "pip install -r requirements.txt",
    ]
    artifacts = {"type": "zip", "files": ["transformed.yaml"]}
    if params.version is PipelineVersion.V1:
        spec: dict[str, Any] = {
            "version": "0.1",
            "phases": {
                "install": {"commands": ["pip install --upgrade awscli", *install, *package]}
            },
            "artifacts": artifacts,
        }
    else:
        major, minor = params.python_version
        spec = {
            "version": "0.2",
            "phases": {
                "install": {"runtime-versions": {"python": f"{major}.{minor}"}, "commands": install},
                "build": {"commands": package},
            },
            "artifacts": artifacts,
        }
    if params.state_backend_s3:
        del spec["artifacts"]  # the build deploys; nothing is handed on
    return spec


def buildspec_yaml(buildspec: dict[str, Any]) -> str:
    """The buildspec as YAML text (what CodeBuild reads from the repo or the template)."""
    import yaml

    return str(yaml.safe_dump(buildspec, sort_keys=False, default_flow_style=False))
