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
    # This distribution at exactly the version that wrote the template: upstream's
    # 'chalice' on PyPI is another tool, and a range may pick a release that does not exist.
    assert "pip install chalice-ng==1.35.0" in commands
    assert not any("chalice>" in c or "'chalice" in c for c in commands)
    v2 = pipeline.create_buildspec(PipelineParameters(
        app_name="a", chalice_version="1.35.0", version=PipelineVersion.V2, python_version=(3, 12)))  # fmt: skip
    assert v2["version"] == "0.2"
    assert v2["phases"]["install"]["runtime-versions"] == {"python": "3.12"}
    assert v2["artifacts"]["files"] == ["transformed.yaml"]


def test_codebuild_image_default_and_override() -> None:
    params = PipelineParameters(app_name="a", chalice_version="1", codebuild_image="my/image:1")
    template = pipeline.create_pipeline_template(params)
    assert template["Parameters"]["CodeBuildImage"]["Default"] == "my/image:1"
    # Upstream's documentation: the v2 pipeline builds on the Amazon Linux 2 standard image.
    for python_version in ((3, 10), (3, 12), (3, 13)):
        v2 = PipelineParameters(
            app_name="a", chalice_version="1", version=PipelineVersion.V2,
            python_version=python_version,
        )  # fmt: skip
        assert pipeline.default_codebuild_image(v2).startswith(
            "aws/codebuild/amazonlinux2-x86_64-standard:"
        )


@pytest.mark.parametrize(
    ("requirement", "command"),
    [
        ("chalice-ng==1.2.3", "pip install chalice-ng==1.2.3"),
        ("chalice-ng>=1.2,<2", "pip install 'chalice-ng>=1.2,<2'"),
        (
            "--index-url https://pypi.example.com/simple chalice-ng==1.2.3",
            "pip install --index-url https://pypi.example.com/simple chalice-ng==1.2.3",
        ),
        (
            "--no-index --find-links wheelhouse 'chalice-ng[cdkv2]==1.2.3'",
            "pip install --no-index --find-links wheelhouse 'chalice-ng[cdkv2]==1.2.3'",
        ),
    ],
)
def test_chalice_requirement_is_installed_as_given(requirement: str, command: str) -> None:
    for version in PipelineVersion:
        params = PipelineParameters(
            app_name="a", chalice_version="9.9.9", version=version,
            chalice_requirement=requirement,
        )  # fmt: skip
        buildspec = pipeline.create_buildspec(params)
        assert command in buildspec["phases"]["install"]["commands"]
        assert "chalice-ng==9.9.9" not in json.dumps(buildspec) or "9.9.9" in requirement


@pytest.mark.parametrize("bad", ["", "   ", "'unbalanced"])
def test_bad_chalice_requirement_is_a_user_error(bad: str) -> None:
    params = PipelineParameters(app_name="a", chalice_version="1", chalice_requirement=bad)
    with pytest.raises(pipeline.InvalidChaliceRequirementError) as err:
        pipeline.create_buildspec(params)
    assert "--chalice-requirement" in str(err.value)
    assert "how to fix" in str(err.value)


def test_cli_chalice_requirement(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    result = CliRunner().invoke(cli, [
        "generate-pipeline", "--pipeline-version", "v2", "-b", "buildspec.yml",
        "--chalice-requirement", "--index-url https://pypi.example.com/simple chalice-ng==1.0",
        "pipeline.json",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    buildspec = yaml.safe_load((tmp_path / "buildspec.yml").read_text())
    assert buildspec["phases"]["install"]["commands"][0] == (
        "pip install --index-url https://pypi.example.com/simple chalice-ng==1.0"
    )
    bad = CliRunner().invoke(
        cli, ["generate-pipeline", "-b", "b2.yml", "--chalice-requirement", "", "p2.json"]
    )
    assert bad.exit_code == 2
    assert "--chalice-requirement is empty" in bad.output
    assert "Traceback" not in bad.output
    assert not (tmp_path / "p2.json").exists()
    assert not (tmp_path / "b2.yml").exists()


def test_cli_default_pins_the_running_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalice import __version__

    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    result = CliRunner().invoke(cli, ["generate-pipeline", "pipeline.json"])
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "pipeline.json").read_text())
    buildspec = template["Resources"]["AppPackageBuild"]["Properties"]["Source"]["BuildSpec"]
    assert f"pip install chalice-ng=={__version__}" in buildspec


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


@pytest.mark.parametrize(("version", "source"), COMBINATIONS)
def test_state_backend_pipeline_deploys_with_chalice_and_passes_cfn_lint(
    version: PipelineVersion, source: SourceProvider
) -> None:
    params = PipelineParameters(
        app_name="myapp",
        chalice_version="1.35.0",
        version=version,
        source=source,
        state_backend_s3=True,
    )
    template = pipeline.create_pipeline_template(params)
    assert _lint(template) == []
    resources = template["Resources"]
    bucket = resources["ChaliceStateBucket"]["Properties"]
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    env = {
        v["Name"]: v["Value"]
        for v in resources["AppPackageBuild"]["Properties"]["Environment"]["EnvironmentVariables"]
    }
    assert env["CHALICE_STATE_BACKEND"] == {"Fn::Sub": "s3://${ChaliceStateBucket}/chalice"}
    stages = [s["Name"] for s in resources["AppPipeline"]["Properties"]["Stages"]]
    assert stages == ["Source", "Build"]
    buildspec = yaml.safe_load(resources["AppPackageBuild"]["Properties"]["Source"]["BuildSpec"])
    commands = [c for phase in buildspec["phases"].values() for c in phase["commands"]]
    assert "chalice deploy --stage ${CHALICE_STAGE}" in commands
    assert not any("chalice package" in c for c in commands) and "artifacts" not in buildspec
    statements = resources["CodeBuildRole"]["Properties"]["Policies"][0]["PolicyDocument"]
    actions = {a for s in statements["Statement"] for a in s["Action"]}
    assert {"s3:PutObject", "s3:DeleteObject", "s3:GetBucketVersioning"} <= actions


def test_cli_generate_pipeline_with_state_backend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["--project-dir", str(tmp_path), "generate-pipeline", "--state-backend", "s3", "p.json"]
    )
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "p.json").read_text())
    assert "ChaliceStateBucket" in template["Resources"]
    assert "DeployPolicyArn" in template["Parameters"]
