"""chalice.cdk.packaging: the construct's stage is packaged without touching the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from chalice.cdk.packaging import config_with_stage, package_for_cdk
from chalice.errors import ConfigError

APP = """\
from chalice import Chalice

app = Chalice(app_name='cdkdemo')


@app.route('/')
def index():
    return {'hello': 'world'}
"""
TOKEN = "${Token[TOKEN.123]}"  # what a CDK token looks like as a Python string


def _project(root: Path) -> Path:
    project = root / "runtime"
    (project / ".chalice").mkdir(parents=True)
    (project / "app.py").write_text(APP)
    (project / "requirements.txt").write_text("")
    (project / ".chalice" / "config.json").write_text(json.dumps({
        "version": "2.0", "app_name": "cdkdemo",
        "stages": {"dev": {"api_gateway_stage": "api"}, "mystack": {"lambda_memory_size": 256}},
    }))  # fmt: skip
    return project


def test_stage_config_replaces_that_stage_only() -> None:
    original = {"app_name": "a", "stages": {"dev": {"x": 1}, "s": {"old": True}}}
    merged = config_with_stage(
        original, stage="s", stage_config={"environment_variables": {"T": TOKEN}}, source="c"
    )
    assert merged["stages"] == {"dev": {"x": 1}, "s": {"environment_variables": {"T": TOKEN}}}
    assert original["stages"]["s"] == {"old": True}  # not mutated
    assert config_with_stage(original, stage="s", stage_config=None, source="c") == original


def test_stage_config_of_the_wrong_shape_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        config_with_stage({"app_name": "a"}, stage="s", stage_config=["x"], source="c")  # type: ignore[arg-type]
    assert "stage_config must be a dict" in str(err.value)
    assert "how to fix" in str(err.value)


def test_package_for_cdk_writes_sam_for_the_stage_and_leaves_the_project_alone(
    tmp_path: Path,
) -> None:
    project = _project(tmp_path)
    before = (project / ".chalice" / "config.json").read_bytes()
    out = tmp_path / "chalice.out" / "ChaliceApp"
    out.mkdir(parents=True)
    (out / "layer-deployment.zip").write_bytes(b"stale")
    sam = package_for_cdk(
        project, out, stage="mystack",
        stage_config={"environment_variables": {"APP_TABLE_NAME": TOKEN}},
    )  # fmt: skip
    template = json.loads(sam.read_text())
    function = template["Resources"]["APIHandler"]["Properties"]
    # The token string reaches the template untouched, for CDK to resolve.
    assert function["Environment"]["Variables"] == {"APP_TABLE_NAME": TOKEN}
    # stage_config replaced the file's 'mystack' stage (its memory size is gone).
    assert function.get("MemorySize") != 256
    assert function["CodeUri"] == "./deployment.zip"
    assert sorted(p.name for p in out.iterdir()) == ["deployment.zip", "sam.json"]
    assert "app.py" in zipfile.ZipFile(out / "deployment.zip").namelist()
    assert (project / ".chalice" / "config.json").read_bytes() == before
    # The build cache is the project's own, as with `chalice package`.
    assert any((project / ".chalice" / "deployments").iterdir())


def _python(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120
    )


def test_without_the_extra_the_import_says_what_to_install() -> None:
    # sys.modules[name] = None makes 'import name' fail, as if it were not installed.
    result = _python(
        "import sys; sys.modules['aws_cdk'] = None\n"
        "try:\n    import chalice.cdk\n"
        "except ImportError as err:\n    print(type(err).__name__); print(err)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("MissingCDKError")
    assert 'pip install "chalice-ng[cdkv2]"' in result.stdout


def test_chalice_and_its_cli_never_load_the_cdk() -> None:
    result = _python(
        "import sys, chalice, chalice.cli, chalice.package, chalice.pipeline\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('aws_cdk', 'jsii')"
        " or m.startswith('chalice.cdk')))"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
