"""The options of ``chalice generate-pipeline``: everything its template depends on.

``PipelineParameters`` is built once by the CLI from the command line and the
project's config; the buildspec (``chalice.pipeline_buildspec``) and the
CloudFormation template (``chalice.pipeline``) are pure functions of it.
Plain data: no I/O, no AWS calls.
"""

from __future__ import annotations

import enum
import sys

import attrs


class PipelineVersion(enum.Enum):
    """Template generations accepted by ``--pipeline-version``."""

    V1 = "v1"
    V2 = "v2"


class SourceProvider(enum.Enum):
    """Where CodePipeline pulls the app's source from (``--source``)."""

    CODECOMMIT = "codecommit"
    GITHUB = "github"


@attrs.frozen
class PipelineParameters:
    """Everything the template depends on."""

    app_name: str
    chalice_version: str
    python_version: tuple[int, int] = (sys.version_info.major, sys.version_info.minor)
    version: PipelineVersion = PipelineVersion.V1
    source: SourceProvider = SourceProvider.CODECOMMIT
    codebuild_image: str | None = None
    buildspec_in_template: bool = True
    branch: str = "main"
    # What the build runs ``pip install`` with: None means this distribution at
    # exactly ``chalice_version`` (a release that exists on the index).
    chalice_requirement: str | None = None
    # The build runs ``chalice deploy`` with the state in S3 (chalice.pipeline_state).
    state_backend_s3: bool = False


def default_codebuild_image(params: PipelineParameters) -> str:
    """The CodeBuild managed image both template versions build with.

    Upstream's documentation states that the v2 pipeline builds on the Amazon
    Linux 2 standard image, picking Python through ``runtime-versions``; v1
    uses the same image. Pass ``-i`` for a Python that image lacks.
    """
    return "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
