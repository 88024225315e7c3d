"""The project and deployment commands, through click's runner and real subprocesses."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalice.cli import cli
from chalice.cli.context import CLIContext
from chalice.cli.deploying import render_tree
from tests.cli.helpers import write_project, write_state

ROUTES_APP = """\
import boto3
from chalice import Chalice

app = Chalice(app_name='demo')
s3 = boto3.client('s3')


@app.route('/')
def index():
    return {'hello': 'world'}


@app.route('/items/{item_id}', methods=['GET', 'PUT'])
def item(item_id):
    s3.get_object(Bucket='b', Key=item_id)
    return {'id': item_id}
"""

LAMBDA_ONLY_APP = """\
from chalice import Chalice

app = Chalice(app_name='demo')


@app.lambda_function()
def worker(event, context):
    return event
"""


def _chalice(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chalice.cli", *args],
        cwd=cwd, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    url = "https://abc.execute-api.us-west-2.amazonaws.com/api/"
    write_state(tmp_path, [{"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc",
                            "rest_api_url": url}])  # fmt: skip
    result = CliRunner().invoke(cli, ["url"])
    assert result.exit_code == 0 and result.stdout == url + "\n"
    missing = CliRunner().invoke(cli, ["url", "--stage", "prod"])
    assert missing.exit_code == 2
    assert "Could not find a record of a Rest API in chalice stage: 'prod'" in missing.stderr


def test_gen_policy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, app_py=ROUTES_APP)
    result = CliRunner().invoke(cli, ["gen-policy"])
    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)
    actions = [a for s in policy["Statement"] for a in s["Action"]]
    assert "s3:GetObject" in actions
    assert not any(a.startswith("logs:") for a in actions)
    missing = CliRunner().invoke(cli, ["gen-policy", "--filename", "nope.py"])
    assert missing.exit_code == 1
    assert "App file does not exist: nope.py" in missing.stderr


def test_generate_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, app_py=ROUTES_APP)
    result = CliRunner().invoke(cli, ["generate-models"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["swagger"] == "2.0"
    assert set(doc["paths"]) == {"/", "/items/{item_id}"}
    uri = doc["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]
    assert "{api_handler_lambda_arn}" in uri and "{region_name}" in uri
    assert result.stdout.startswith('{\n    "swagger"')  # indent 4


def test_generate_models_without_routes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path, app_py=LAMBDA_ONLY_APP)
    result = CliRunner().invoke(cli, ["generate-models"])
    assert result.exit_code == 1
    assert "No REST API found to generate model from." in result.stderr


def _sdk_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("apiGateway-js-sdk/apigClient.js", "// client\n")
        zf.writestr("apiGateway-js-sdk/lib/url-template/url-template.js", "// lib\n")
    return buffer.getvalue()


class FakeApiGateway:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def get_sdk(self, **kwargs: Any) -> Mapping[str, Any]:
        self.calls.append(kwargs)
        return {"body": io.BytesIO(_sdk_zip())}


def test_generate_sdk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    write_state(tmp_path, [{"name": "rest_api", "resource_type": "rest_api", "rest_api_id": "abc123",
                            "rest_api_url": "https://x/api/"}])  # fmt: skip
    fake = FakeApiGateway()
    obj = CLIContext(project_dir=tmp_path, clients=lambda service, **kw: fake)
    result = CliRunner().invoke(cli, ["generate-sdk", "sdk-out"], obj=obj)
    assert result.exit_code == 0, result.output
    assert fake.calls == [{"restApiId": "abc123", "stageName": "api", "sdkType": "javascript"}]
    assert (tmp_path / "sdk-out" / "apigClient.js").read_text() == "// client\n"
    assert (tmp_path / "sdk-out" / "lib" / "url-template" / "url-template.js").is_file()


def test_generate_sdk_not_deployed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_project(tmp_path)
    obj = CLIContext(project_dir=tmp_path, clients=lambda service, **kw: FakeApiGateway())
    result = CliRunner().invoke(cli, ["generate-sdk", "out"], obj=obj)
    assert result.exit_code == 1
    assert "Could not find API ID, has this application been deployed?" in result.stderr


def test_generate_sdk_refuses_escaping_entries(tmp_path: Path) -> None:
    from chalice import sdk
    from chalice.errors import UserError

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("../evil.js", "x")

    class Evil:
        def get_sdk(self, **kwargs: Any) -> Mapping[str, Any]:
            return {"body": buffer.getvalue()}

    with pytest.raises(UserError):
        sdk.generate_sdk(Evil(), rest_api_id="a", api_gateway_stage="api", out_dir=tmp_path / "o")
    assert not (tmp_path / "evil.js").exists()


@pytest.mark.parametrize(
    "extra", [["--single-file"], ["--merge-template", "m.json"], ["--template-format", "yaml"]]
)
def test_package_terraform_rejects_sam_options(runner: CliRunner, extra: list[str]) -> None:
    result = runner.invoke(cli, ["package", "--pkg-format", "terraform", *extra, "out"])
    assert result.exit_code == 1
    assert (
        "Terraform format does not support --merge-template, --single-file, or --template-format"
        in result.stderr
    )


def test_package_and_appgraph_subprocess(tmp_path: Path) -> None:
    write_project(tmp_path, app_py=ROUTES_APP)
    (tmp_path / "requirements.txt").write_text("")
    packaged = _chalice("package", "out", cwd=tmp_path)
    assert packaged.returncode == 0, packaged.stdout + packaged.stderr
    assert (tmp_path / "out" / "sam.json").is_file()
    assert (tmp_path / "out" / "deployment.zip").is_file()
    yaml_pkg = _chalice("package", "--template-format", "YAML", "out-yaml", cwd=tmp_path)
    assert yaml_pkg.returncode == 0, yaml_pkg.stderr
    assert (tmp_path / "out-yaml" / "sam.yaml").is_file()
    graph = _chalice("dev", "appgraph", cwd=tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.startswith("Application\n")
    assert "LambdaFunction(api_handler)" in graph.stdout
    assert "RestAPI(rest_api)" in graph.stdout



def test_appgraph_builds_no_zip_and_does_not_validate(tmp_path: Path) -> None:
    # The tree is the graph alone (as upstream's dev appgraph): no packaging, and
    # a setting deploy would refuse still shows up in it.
    write_project(tmp_path, app_py=LAMBDA_ONLY_APP)
    graph = _chalice("dev", "appgraph", "--api-gateway-stage", "bad stage", cwd=tmp_path)
    assert graph.returncode == 0, graph.stderr
    assert graph.stdout.splitlines()[:2] == ["Application", "└── LambdaFunction(worker)"]
    assert graph.stderr == ""
    assert not (tmp_path / ".chalice" / "deployments").exists()

def test_render_tree() -> None:
    import attrs

    @attrs.frozen
    class Leaf:
        resource_name: str

    @attrs.frozen
    class Node:
        resource_name: str
        child: Leaf
        items: tuple[Leaf, ...] = ()

    lines = list(render_tree([Node("n", Leaf("a"), (Leaf("b"),)), Leaf("c")]))
    assert lines == [
        "├── Node(n)",
        "│   ├── child: Leaf(a)",
        "│   └── items[0]: Leaf(b)",
        "└── Leaf(c)",
    ]


def test_deploy_plan_delete_against_moto(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "proj"
    created = _chalice("new-project", "proj", "-t", "rest-api", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    # The real console entry point for the deploy itself...
    deployed = _chalice("deploy", "--max-parallel", "4", cwd=project)
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    assert "Resources deployed:" in deployed.stdout
    assert "Rest API URL: https://" in deployed.stdout
    # Not a TTY: no control characters in the output.
    assert "\x1b" not in deployed.stdout and "\r" not in deployed.stdout
    # ...and click's runner (in process, faster) for the rest.
    monkeypatch.chdir(project)
    runner = CliRunner()
    url = runner.invoke(cli, ["url"])
    assert url.exit_code == 0 and url.stdout.startswith("https://")
    for args in (["plan"], ["deploy", "--plan"], ["dev", "plan"]):
        planned = runner.invoke(cli, args)
        assert planned.exit_code == 0, planned.output
        assert "0 to create, 0 to update, 0 to delete" in planned.stdout, (args, planned.stdout)
    again = runner.invoke(cli, ["deploy", "--force-unlock"])
    assert again.exit_code == 0, again.output
    deleted = runner.invoke(cli, ["delete"])
    assert deleted.exit_code == 0, deleted.output
    state = json.loads((project / ".chalice" / "deployed" / "dev.json").read_text())
    assert state["resources"] == []
    assert runner.invoke(cli, ["url"]).exit_code == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_local_serves_the_app(tmp_path: Path) -> None:
    write_project(tmp_path, app_py=ROUTES_APP.replace("import boto3\n", "").replace(
        "s3 = boto3.client('s3')\n", "").replace("    s3.get_object(Bucket='b', Key=item_id)\n", ""))  # fmt: skip
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "chalice.cli", "local", "--no-autoreload", "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        body = None
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/items/42", timeout=2) as resp:
                    body = json.loads(resp.read())
            except OSError:
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.1)
        assert body == {"id": "42"}
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
    assert f"Serving on http://127.0.0.1:{port}" in out
