"""chalice.cdk.Chalice: synthesize the cdk-ddb template's stack, then cfn-lint it.

aws-cdk-lib runs its JavaScript core on the local Node.js; no ``cdk`` CLI and no
network are needed: ``aws_cdk.App(outdir=...).synth()`` writes the cloud
assembly. One subprocess synthesizes every stack (starting the CDK dominates).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from chalice import __version__
from chalice.cli import newproj
from tests.package._lint import lint_problems

pytest.importorskip("aws_cdk")

ROOT = Path(__file__).resolve().parents[2]

SYNTH = textwrap.dedent(
    """
    import sys
    import aws_cdk as cdk
    from stacks.chaliceapp import ChaliceApp
    from chalice.cdk import Chalice

    app = cdk.App(outdir=sys.argv[1])
    ChaliceApp(app, "chalice-cdkapp")
    # The rest of the construct's API, in a second stack.
    other = cdk.Stack(app, "other")
    c = Chalice(other, "Api", source_dir="../runtime", stage_config={"lambda_memory_size": 512},
                preserve_logical_ids=False)
    c.add_environment_variable("EXTRA", other.stack_name, "APIHandler")
    cdk.CfnOutput(other, "FunctionArn", value=c.get_function("APIHandler").function_arn)
    assert c.stage_name == "other", c.stage_name
    try:
        c.get_resource("Nope")
    except Exception as err:
        print("LOOKUP-ERROR", type(err).__name__, str(err).splitlines()[0])
    app.synth()
    """
)


@pytest.fixture(scope="module")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    tmp_path = tmp_path_factory.mktemp("cdk")
    project = newproj.create_project(
        tmp_path, "cdkapp", newproj.ProjectType.CDK_DDB, chalice_version=__version__
    )
    infrastructure = project / "infrastructure"
    (infrastructure / "synth.py").write_text(SYNTH)
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION"] = "1"
    out = tmp_path / "cdk.out"
    result = subprocess.run(
        [sys.executable, "synth.py", str(out)], cwd=infrastructure, env=env,
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return project, out, result.stdout


def _template(out: Path, stack: str) -> dict[str, Any]:
    return dict(json.loads((out / f"{stack}.template.json").read_text()))


@pytest.mark.slow
def test_template_stack_wires_the_table_into_the_app(synthesized: tuple[Path, Path, str]) -> None:
    project, out, _ = synthesized
    template = _template(out, "chalice-cdkapp")
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    resources = template["Resources"]
    table = next(k for k, v in resources.items() if v["Type"] == "AWS::DynamoDB::Table")
    function = resources["APIHandler"]["Properties"]
    # The CDK token in stage_config became a reference to the table.
    assert function["Environment"]["Variables"]["APP_TABLE_NAME"] == {"Ref": table}
    # The zip is a CDK asset: the template points at the asset, the assembly holds it.
    code = function["CodeUri"]
    assert set(code) == {"Bucket", "Key"}
    assert (out / f"asset.{code['Key']}").is_file()
    assert (project / "infrastructure" / "chalice.out" / "ChaliceApp" / "sam.json").is_file()
    # grant_read_write_data(get_role('DefaultRole')) attached a policy to that role.
    policies = [v for v in resources.values() if v["Type"] == "AWS::IAM::Policy"]
    assert any(
        "DefaultRole" in json.dumps(p["Properties"]["Roles"])
        and "dynamodb:PutItem" in json.dumps(p["Properties"]["PolicyDocument"])
        for p in policies
    )
    # The project's own config is unchanged: the stage lives only in the CDK app.
    config = json.loads((project / "runtime" / ".chalice" / "config.json").read_text())
    assert set(config["stages"]) == {"dev"}


@pytest.mark.slow
def test_synthesized_template_passes_cfn_lint(synthesized: tuple[Path, Path, str]) -> None:
    _, out, _ = synthesized
    assert lint_problems((out / "chalice-cdkapp.template.json").read_text()) == []
    assert lint_problems((out / "other.template.json").read_text()) == []


@pytest.mark.slow
def test_construct_api(synthesized: tuple[Path, Path, str]) -> None:
    _, out, stdout = synthesized
    template = _template(out, "other")
    functions = {
        k: v for k, v in template["Resources"].items() if v["Type"] == "AWS::Serverless::Function"
    }
    # preserve_logical_ids=False: IDs are made unique in the stack.
    assert "APIHandler" not in functions and len(functions) == 1
    (properties,) = [f["Properties"] for f in functions.values()]
    assert properties["MemorySize"] == 512
    assert properties["Environment"]["Variables"]["EXTRA"] == "other"
    assert "FunctionArn" in template["Outputs"]
    assert "LOOKUP-ERROR UnknownResourceError The Chalice app's template has no resource" in stdout
