"""The front half: one ``desired_application`` whose ``Target`` decides what differs.

Projects are real directories (``load_project`` imports their ``app.py``);
the packager is a fake that counts its builds, so no pip or zip runs and
"no zips before the SAM check" / "no zips for the tree" are observable.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from chalice.build.desired import DesiredApplication, Target, desired_application
from chalice.build.swagger import SwaggerStyle
from chalice.deploy import models
from chalice.errors import PackageError, ValidationError

ROOT = Path(__file__).resolve().parents[2]

ROUTES_APP = """\
from chalice import Chalice

app = Chalice(app_name="front")


@app.route("/")
def index():
    return {"hello": "world"}
"""

S3_APP = ROUTES_APP + """

@app.on_s3_event(bucket="uploads")
def on_upload(event):
    pass
"""


@attrs.frozen
class _Built:
    function: models.DeploymentPackage
    layer: models.DeploymentPackage | None = None


class FakePackager:
    """Counts builds and returns a fixed package instead of running pip and zip."""

    def __init__(self) -> None:
        self.builds = 0

    def build(
        self,
        project_dir: Path,
        *,
        runtime: str,
        architecture: str,
        automatic_layer: bool,
        precompile_bytecode: bool = True,
    ) -> _Built:
        self.builds += 1
        return _Built(function=models.DeploymentPackage(str(project_dir / "fake.zip"), "c2hh"))


class RecordingUI:
    """Keeps what the front half reports."""

    def __init__(self) -> None:
        self.infos: list[str] = []
        self.warnings: list[str] = []

    def info(self, text: str) -> None:
        self.infos.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)


@pytest.fixture(autouse=True)
def _isolated_import(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # load_project puts the project first on sys.path and imports `app`.
    monkeypatch.setattr(sys, "path", list(sys.path))
    monkeypatch.delitem(sys.modules, "app", raising=False)
    yield
    sys.modules.pop("app", None)


def _project(tmp_path: Path, app_py: str = ROUTES_APP, **config: Any) -> Path:
    root = tmp_path / "proj"
    (root / ".chalice").mkdir(parents=True)
    (root / "app.py").write_text(app_py)
    (root / "requirements.txt").write_text("")
    document = {"version": "2.0", "app_name": "front", **config}
    (root / ".chalice" / "config.json").write_text(json.dumps(document))
    return root


def _desired(project: Path, target: Target, **kwargs: Any) -> DesiredApplication:
    return desired_application(project, stage="dev", target=target, **kwargs)


def _by_name(application: models.Application) -> dict[str, Any]:
    return {r.resource_name: r for r in models.dependency_order(application)}


def _index_uri(application: models.Application) -> Any:
    swagger = _by_name(application)["rest_api"].swagger_doc
    return swagger["paths"]["/"]["get"]["x-amazon-apigateway-integration"]["uri"]


@pytest.mark.parametrize(
    ("target", "style"),
    [
        (Target.DEPLOY, SwaggerStyle.DEPLOY),
        (Target.PACKAGE_SAM, SwaggerStyle.CLOUDFORMATION),
        (Target.PACKAGE_TERRAFORM, SwaggerStyle.TERRAFORM),
        (Target.APPGRAPH, SwaggerStyle.DEPLOY),
    ],
)
def test_each_target_has_its_swagger_style(target: Target, style: SwaggerStyle) -> None:
    assert target.swagger_style() is style


def test_only_the_tree_skips_validation_and_artifacts() -> None:
    assert [t for t in Target if not t.validates] == [Target.APPGRAPH]
    assert [t for t in Target if not t.builds_artifacts] == [Target.APPGRAPH]


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        (Target.DEPLOY, "{api_handler_lambda_arn}"),
        (Target.PACKAGE_SAM, "Fn::Sub"),
        (Target.PACKAGE_TERRAFORM, "aws_lambda_function.api_handler.invoke_arn"),
    ],
)
def test_built_targets_fill_packages_and_swagger_in_their_style(
    tmp_path: Path, target: Target, expected: str
) -> None:
    packager = FakePackager()
    desired = _desired(_project(tmp_path), target, packager=packager)
    assert packager.builds == 1
    assert desired.target is target
    assert desired.app_name == "front"
    assert desired.config.chalice_stage == "dev"
    handler = _by_name(desired.application)["api_handler"]
    assert handler.deployment_package.filename.endswith("fake.zip")
    assert expected in json.dumps(_index_uri(desired.application))


def test_appgraph_builds_no_artifacts(tmp_path: Path) -> None:
    packager = FakePackager()
    desired = _desired(_project(tmp_path), Target.APPGRAPH, packager=packager)
    assert packager.builds == 0
    resources = _by_name(desired.application)
    assert resources["api_handler"].deployment_package == models.DeploymentPackage()
    assert resources["rest_api"].swagger_doc is None


def test_sam_refuses_what_it_cannot_express_before_any_zip(tmp_path: Path) -> None:
    project = _project(tmp_path, S3_APP)
    packager = FakePackager()
    with pytest.raises(PackageError, match="existing S3 bucket"):
        _desired(project, Target.PACKAGE_SAM, packager=packager)
    assert packager.builds == 0
    # Terraform and deploy can express S3 notifications.
    for target in (Target.PACKAGE_TERRAFORM, Target.DEPLOY):
        sys.modules.pop("app", None)
        assert "on_upload-s3event" in _by_name(
            _desired(project, target, packager=FakePackager()).application
        )


def test_validation_runs_before_any_zip_but_not_for_the_tree(tmp_path: Path) -> None:
    project = _project(tmp_path)
    bad = {"api_gateway_stage": "no spaces allowed"}
    packager = FakePackager()
    with pytest.raises(ValidationError, match="Invalid api_gateway_stage"):
        _desired(project, Target.DEPLOY, user_params=bad, packager=packager)
    assert packager.builds == 0
    sys.modules.pop("app", None)
    # The tree shows what the app defines, even what a deploy would refuse (as upstream).
    tree = _desired(project, Target.APPGRAPH, user_params=bad)
    assert _by_name(tree.application)["rest_api"].api_gateway_stage == "no spaces allowed"


def test_config_warnings_reach_the_ui_once(tmp_path: Path) -> None:
    project = _project(tmp_path, lambda_timout=3)
    ui = RecordingUI()
    _desired(project, Target.DEPLOY, ui=ui, packager=FakePackager())
    assert len([w for w in ui.warnings if "lambda_timout" in w]) == 1


def test_without_a_ui_nothing_is_reported_and_nothing_fails(tmp_path: Path) -> None:
    project = _project(tmp_path, lambda_timout=3)
    desired = _desired(project, Target.PACKAGE_SAM, packager=FakePackager())
    assert _by_name(desired.application)["api_handler"].deployment_package.sha256 == "c2hh"


_TREE_PROBE = """
import json, sys
from chalice.build.desired import Target, desired_application
desired_application(sys.argv[1], stage="dev", target=Target.APPGRAPH)
print(json.dumps(sorted(m for m in sys.modules if m in set(json.loads(sys.argv[2])))))
"""


def test_the_tree_loads_no_build_toolchain(tmp_path: Path) -> None:
    # ``dev appgraph`` pays for the graph only: no packager, analyzer, swagger or zip code.
    heavy = [
        "chalice.build.artifacts",
        "chalice.build.packager",
        "chalice.build.analyzer",
        "chalice.build.analyzer_interpreter",
        "chalice.build.swagger",
        "chalice.package.sam",
        "zipfile",
        "botocore",
    ]
    proc = subprocess.run(
        [sys.executable, "-c", _TREE_PROBE, str(_project(tmp_path)), json.dumps(heavy)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == []


# The calls that make up the front half. Outside build/desired.py they may be
# defined, or used by a command that needs the live app for something else.
_FRONT_HALF_CALLS = {"validate_app", "build_application", "build_application_artifacts"}
_ALLOWED = {
    "chalice/build/desired.py",
    "chalice/build/artifacts.py",  # defines build_application_artifacts
    "chalice/deploy/graph.py",  # defines build_application
    "chalice/deploy/validate.py",  # defines validate_app
}


def test_the_front_half_is_written_once() -> None:
    callers: dict[str, set[str]] = {}
    for path in sorted((ROOT / "chalice").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in _ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name in _FRONT_HALF_CALLS:
                    callers.setdefault(relative, set()).add(name)
    assert callers == {}, "call chalice.build.desired.desired_application instead"
