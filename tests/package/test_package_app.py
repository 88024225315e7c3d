"""Writing a package: files, options, --single-file, and the whole pipeline on fixture apps."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import attrs
import pytest

from chalice.deploy import models
from chalice.errors import PackageError
from chalice.package import (
    TERRAFORM_UNSUPPORTED,
    PackageFormat,
    PackageOptions,
    TemplateFormat,
    package_app,
    write_package,
)
from tests.package import _shape, _tfcheck
from tests.package._lint import lint_problems
from tests.package._models import full_application, s3_application


def _with_zips(app: models.Application, tmp_path: Path) -> models.Application:
    """``app`` with its packages pointing at real (tiny) zip files."""
    code = tmp_path / "cache" / "code.zip"
    layer = tmp_path / "cache" / "layer.zip"
    code.parent.mkdir(parents=True, exist_ok=True)
    code.write_bytes(b"code-zip")
    layer.write_bytes(b"layer-zip")
    code_pkg = models.DeploymentPackage(filename=str(code), sha256="x")
    layer_pkg = models.DeploymentPackage(filename=str(layer), sha256="y")

    def fix(value: object) -> object:
        if isinstance(value, models.LambdaLayer):
            return attrs.evolve(value, deployment_package=layer_pkg)
        if isinstance(value, models.LambdaFunction):
            return attrs.evolve(
                value,
                deployment_package=code_pkg,
                managed_layer=fix(value.managed_layer) if value.managed_layer else None,
            )
        if attrs.has(type(value)):
            changes = {
                f.name: fix(getattr(value, f.name))
                for f in attrs.fields(type(value))
                if isinstance(getattr(value, f.name), (models.LambdaFunction, models.LambdaLayer))
            }
            if isinstance(value, models.RestAPI):
                changes["authorizers"] = tuple(fix(a) for a in value.authorizers)
            return attrs.evolve(value, **changes)
        return value

    return models.Application(stage=app.stage, resources=tuple(fix(r) for r in app.resources))  # type: ignore[misc]


def test_cloudformation_json_writes_template_and_zips(tmp_path: Path) -> None:
    app = _with_zips(full_application(), tmp_path)
    out = tmp_path / "out"
    written = write_package(app, out, app_name="pkgfull")
    assert sorted(p.name for p in written) == ["deployment.zip", "layer-deployment.zip", "sam.json"]
    assert (out / "deployment.zip").read_bytes() == b"code-zip"
    assert (out / "layer-deployment.zip").read_bytes() == b"layer-zip"
    template = json.loads((out / "sam.json").read_text())
    assert template["Resources"]["APIHandler"]["Properties"]["CodeUri"] == "./deployment.zip"


def test_yaml_output_replaces_a_previous_json_one(tmp_path: Path) -> None:
    app = _with_zips(full_application(), tmp_path)
    out = tmp_path / "out"
    write_package(app, out, app_name="pkgfull")
    write_package(
        app, out, app_name="pkgfull", options=PackageOptions(template_format=TemplateFormat.YAML)
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "deployment.zip",
        "layer-deployment.zip",
        "sam.yaml",
    ]
    assert lint_problems((out / "sam.yaml").read_text()) == []


def test_yaml_merge_template_forces_yaml_and_is_merged(tmp_path: Path) -> None:
    merge = tmp_path / "extra.yml"
    merge.write_text(
        "Resources:\n"
        "  Bucket:\n"
        "    Type: AWS::S3::Bucket\n"
        "  APIHandler:\n"
        "    Properties:\n"
        "      Environment:\n"
        "        Variables:\n"
        "          BUCKET: !Ref Bucket\n"
    )
    app = _with_zips(full_application(), tmp_path)
    out = tmp_path / "out"
    write_package(app, out, app_name="pkgfull", options=PackageOptions(merge_template=merge))
    text = (out / "sam.yaml").read_text()
    assert not (out / "sam.json").exists()
    assert "BUCKET:\n" in text and "Ref: Bucket" in text
    assert lint_problems(text) == []


def test_json_merge_template(tmp_path: Path) -> None:
    merge = tmp_path / "extra.json"
    merge.write_text(json.dumps({"Outputs": {"Extra": {"Value": {"Ref": "APIHandler"}}}}))
    app = _with_zips(full_application(), tmp_path)
    out = tmp_path / "out"
    write_package(app, out, app_name="pkgfull", options=PackageOptions(merge_template=merge))
    template = json.loads((out / "sam.json").read_text())
    assert template["Outputs"]["Extra"] == {"Value": {"Ref": "APIHandler"}}
    assert "RestAPIId" in template["Outputs"]


def test_single_file_is_a_deterministic_zip(tmp_path: Path) -> None:
    app = _with_zips(full_application(), tmp_path)
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    write_package(app, one, app_name="pkgfull", options=PackageOptions(single_file=True))
    write_package(app, two, app_name="pkgfull", options=PackageOptions(single_file=True))
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as zf:
        assert zf.namelist() == ["deployment.zip", "layer-deployment.zip", "sam.json"]


def test_single_file_refuses_a_directory(tmp_path: Path) -> None:
    app = _with_zips(full_application(), tmp_path)
    with pytest.raises(PackageError, match="is a directory"):
        write_package(app, tmp_path, app_name="pkgfull", options=PackageOptions(single_file=True))


def test_output_must_not_be_a_file(tmp_path: Path) -> None:
    app = _with_zips(full_application(), tmp_path)
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(PackageError, match="--single-file"):
        write_package(app, target, app_name="pkgfull")


@pytest.mark.parametrize(
    "options",
    [
        PackageOptions(pkg_format=PackageFormat.TERRAFORM, single_file=True),
        PackageOptions(pkg_format=PackageFormat.TERRAFORM, template_format=TemplateFormat.YAML),
        PackageOptions(pkg_format=PackageFormat.TERRAFORM, merge_template=Path("x.json")),
    ],
)
def test_terraform_refuses_template_options(options: PackageOptions, tmp_path: Path) -> None:
    with pytest.raises(PackageError) as err:
        write_package(full_application(), tmp_path / "out", app_name="a", options=options)
    assert TERRAFORM_UNSUPPORTED in str(err.value)
    assert not (tmp_path / "out").exists()


def test_terraform_writes_config_and_zips(tmp_path: Path) -> None:
    app = _with_zips(s3_application(), tmp_path)
    out = tmp_path / "out"
    write_package(
        app, out, app_name="pkgs3", options=PackageOptions(pkg_format=PackageFormat.TERRAFORM)
    )
    assert sorted(p.name for p in out.iterdir()) == ["chalice.tf.json", "deployment.zip"]


def test_s3_in_sam_fails_before_writing(tmp_path: Path) -> None:
    app = _with_zips(s3_application(), tmp_path)
    with pytest.raises(PackageError, match="--pkg-format terraform"):
        write_package(app, tmp_path / "out", app_name="pkgs3")
    assert not (tmp_path / "out").exists()


def test_an_app_with_nothing_to_deploy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="defines nothing to deploy"):
        write_package(models.Application(stage="dev", resources=()), tmp_path / "o", app_name="a")


def test_package_app_rejects_unknown_formats(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="use one of: cloudformation, terraform"):
        package_app(tmp_path, tmp_path / "out", pkg_format="pulumi")
    with pytest.raises(PackageError, match="use one of: json, yaml"):
        package_app(tmp_path, tmp_path / "out", template_format="toml")


def test_package_app_checks_merge_template_before_building(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="does not exist"):
        package_app(tmp_path, tmp_path / "out", merge_template=tmp_path / "missing.yaml")


# -- the whole pipeline on the fixture apps ----------------------------------


def _pipeline_available() -> bool:
    try:
        import chalice.build.artifacts  # noqa: F401
        import chalice.project  # noqa: F401
        from chalice import Chalice  # noqa: F401
    except ImportError:
        return False
    return True


pipeline = pytest.mark.skipif(
    not _pipeline_available(), reason="the build pipeline is not available"
)


def _project(tmp_path: Path, app: str) -> Path:
    project = tmp_path / f"project-{app}"
    shutil.copytree(_shape.APPS / app, project)
    return project


@pipeline
@pytest.mark.parametrize(
    ("stage", "fmt"), [("dev", "json"), ("dev", "yaml"), ("variant", "json"), ("regional", "yaml")]
)
def test_pipeline_cloudformation_passes_cfn_lint(stage: str, fmt: str, tmp_path: Path) -> None:
    # dev: everything incl. layer, domains, log groups; variant: PRIVATE API,
    # per-function file-policy roles, a pre-created role, arm64, no layer;
    # regional: REGIONAL endpoint and domain.
    project = _project(tmp_path, "full")
    out = tmp_path / "out"
    package_app(project, out, stage=stage, template_format=fmt)
    names = sorted(p.name for p in out.iterdir())
    zips = ["deployment.zip"] if stage == "variant" else ["deployment.zip", "layer-deployment.zip"]
    assert names == sorted([*zips, f"sam.{fmt}"])
    assert lint_problems((out / f"sam.{fmt}").read_text()) == []


@pipeline
def test_pipeline_terraform_checks(tmp_path: Path) -> None:
    for app in ("full", "s3"):
        out = tmp_path / f"out-{app}"
        package_app(_project(tmp_path, app), out, stage="dev", pkg_format="terraform")
        config = json.loads((out / "chalice.tf.json").read_text())
        assert _tfcheck.unresolved_references(config) == []
        assert _tfcheck.unknown_arguments(config) == []
        # terraform validate of these outputs: test_terraform.py::test_terraform_validate


@pipeline
def test_pipeline_s3_in_cloudformation_is_a_clear_error(tmp_path: Path) -> None:
    project = _project(tmp_path, "s3")
    with pytest.raises(PackageError, match="existing S3 bucket"):
        package_app(project, tmp_path / "out")
    # Refused from the graph, before any zip was built.
    assert not (project / ".chalice" / "deployments").exists()
    assert not (tmp_path / "out").exists()


@pipeline
@pytest.mark.parametrize("pkg_format", ["cloudformation", "terraform"])
def test_pipeline_is_deterministic(pkg_format: str, tmp_path: Path) -> None:
    # Two separate copies of the project: nothing may depend on paths or times.
    outputs = []
    for n in (1, 2):
        base = tmp_path / str(n)
        base.mkdir()
        out = base / "out"
        package_app(_project(base, "full"), out, stage="dev", pkg_format=pkg_format)
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()})
    assert outputs[0] == outputs[1]
