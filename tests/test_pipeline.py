"""``chalice generate-pipeline``: templates pass cfn-lint; options change what they should."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from chalice import pipeline
from chalice.cli import cli
from chalice.pipeline import PipelineParameters, PipelineVersion, SourceProvider
from tests.cli.helpers import restore_cli_mode, write_project

COMBINATIONS = [(v, s) for v in PipelineVersion for s in SourceProvider]


def _lint(template: dict[str, Any]) -> list[str]:
    from cfnlint.api import lint

    matches = lint(json.dumps(template), regions=["us-west-2"])
    return [str(m) for m in matches]


@pytest.mark.parametrize(("version", "source"), COMBINATIONS)
def test_templates_pass_cfn_lint(version: PipelineVersion, source: SourceProvider) -> None:
    params = PipelineParameters(
        app_name="myapp", chalice_version="1.35.0", version=version, source=source
    )
    assert _lint(pipeline.create_pipeline_template(params)) == []


def test_template_without_embedded_buildspec_passes_cfn_lint() -> None:
    params = PipelineParameters(
        app_name="myapp", chalice_version="1.35.0", buildspec_in_template=False
    )
    template = pipeline.create_pipeline_template(params)
    assert "BuildSpec" not in template["Resources"]["AppPackageBuild"]["Properties"]["Source"]
    assert _lint(template) == []


def test_codecommit_creates_the_repository() -> None:
    template = pipeline.create_pipeline_template(
        PipelineParameters(app_name="a", chalice_version="1.0")
    )
    assert template["Resources"]["SourceRepository"]["Type"] == "AWS::CodeCommit::Repository"
    stages = template["Resources"]["AppPipeline"]["Properties"]["Stages"]
    assert [s["Name"] for s in stages] == ["Source", "Build", "Beta"]
    assert stages[0]["Actions"][0]["ActionTypeId"]["Provider"] == "CodeCommit"
    assert "SourceRepoURL" in template["Outputs"]


def test_github_v1_uses_token_parameter_and_v2_secrets_manager() -> None:
    v1 = pipeline.create_pipeline_template(PipelineParameters(
        app_name="a", chalice_version="1.0", source=SourceProvider.GITHUB))  # fmt: skip
    assert v1["Parameters"]["GithubPersonalToken"]["NoEcho"] is True
    assert "SourceRepository" not in v1["Resources"]
    v2 = pipeline.create_pipeline_template(PipelineParameters(
        app_name="a", chalice_version="1.0", source=SourceProvider.GITHUB,
        version=PipelineVersion.V2))  # fmt: skip
    token = v2["Resources"]["AppPipeline"]["Properties"]["Stages"][0]["Actions"][0][
        "Configuration"
    ]["OAuthToken"]
    assert "{{resolve:secretsmanager:" in json.dumps(token)


def test_buildspec_versions() -> None:
    v1 = pipeline.create_buildspec(PipelineParameters(app_name="a", chalice_version="1.35.0"))
    assert v1["version"] == "0.1"
    commands = v1["phases"]["install"]["commands"]
    assert "chalice package /tmp/packaged" in commands
    assert any("chalice>=1.35.0,<2.0.0" in c for c in commands)
    v2 = pipeline.create_buildspec(PipelineParameters(
        app_name="a", chalice_version="1.35.0", version=PipelineVersion.V2, python_version=(3, 12)))  # fmt: skip
    assert v2["version"] == "0.2"
    assert v2["phases"]["install"]["runtime-versions"] == {"python": "3.12"}
    assert v2["artifacts"]["files"] == ["transformed.yaml"]


def test_codebuild_image_default_and_override() -> None:
    params = PipelineParameters(app_name="a", chalice_version="1", codebuild_image="my/image:1")
    template = pipeline.create_pipeline_template(params)
    assert template["Parameters"]["CodeBuildImage"]["Default"] == "my/image:1"
    v2_312 = PipelineParameters(
        app_name="a", chalice_version="1", version=PipelineVersion.V2, python_version=(3, 12)
    )
    assert "amazonlinux-x86_64-standard" in pipeline.default_codebuild_image(v2_312)


def test_cli_generate_pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    result = CliRunner().invoke(cli, ["generate-pipeline", "pipeline.json"])
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "pipeline.json").read_text())
    assert template["Parameters"]["ApplicationName"]["Default"] == "demo"
    assert "BuildSpec" in template["Resources"]["AppPackageBuild"]["Properties"]["Source"]


def test_cli_generate_pipeline_separate_buildspec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    result = CliRunner().invoke(cli, [
        "generate-pipeline", "--pipeline-version", "v2", "-s", "github", "-i", "img:1",
        "-b", "buildspec.yml", "out.json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "out.json").read_text())
    assert "BuildSpec" not in template["Resources"]["AppPackageBuild"]["Properties"]["Source"]
    assert template["Parameters"]["CodeBuildImage"]["Default"] == "img:1"
    buildspec = yaml.safe_load((tmp_path / "buildspec.yml").read_text())
    assert buildspec["version"] == "0.2"


def test_cli_generate_pipeline_outside_a_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate-pipeline", "out.json"])
    assert result.exit_code == 2
    assert "config" in result.stderr.lower()
    assert "Traceback" not in result.output


# An autouse fixture: importing it activates it in this module.
__all__ = ["restore_cli_mode"]
