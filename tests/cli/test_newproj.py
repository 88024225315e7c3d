"""``chalice new-project``: templates, prompts, errors, and generated tests passing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from chalice import __distribution__, __version__
from chalice.cli import cli, newproj
from chalice.cli.newproj import ProjectType

NEWER = [ProjectType.REST_API, ProjectType.S3_EVENT_HANDLER, ProjectType.LAMBDA_ONLY]
# Templates whose root is the Chalice project (cdk-ddb nests it under runtime/).
SINGLE = [t for t in ProjectType if t is not ProjectType.CDK_DDB]


@pytest.mark.parametrize("project_type", SINGLE)
def test_every_template_has_the_basics(project_type: ProjectType) -> None:
    files = {str(f.path): f.content for f in newproj.render_template(
        project_type, app_name="myapp", chalice_version="9.9.9")}  # fmt: skip
    for required in (".chalice/config.json", ".gitignore", "requirements.txt", "app.py"):
        assert required in files, (project_type, sorted(files))
    assert not any(name.endswith(".tmpl") for name in files)
    assert not any("{{" in text for text in files.values())
    config = json.loads(files[".chalice/config.json"])
    assert config["version"] == "2.0"
    assert config["app_name"] == "myapp"
    assert config["stages"]["dev"]["api_gateway_stage"] == "api"
    assert ".chalice/deployments/" in files[".gitignore"]
    assert ".chalice/venv/" in files[".gitignore"]
    compile(files["app.py"], "app.py", "exec")


@pytest.mark.parametrize("project_type", NEWER)
def test_newer_templates_have_tests_and_chalicelib(project_type: ProjectType) -> None:
    files = {str(f.path): f.content for f in newproj.render_template(
        project_type, app_name="myapp", chalice_version="9.9.9")}  # fmt: skip
    assert "chalicelib/__init__.py" in files
    assert "tests/test_app.py" in files
    assert "from chalice.test import Client" in files["tests/test_app.py"]
    assert files["requirements-dev.txt"].splitlines()[0] == "chalice-ng==9.9.9"


def test_generated_requirements_never_name_upstreams_distribution() -> None:
    # 'chalice' on PyPI is upstream's project: a pin on it installs another tool.
    for project_type in ProjectType:
        for rendered in newproj.render_template(
            project_type, app_name="myapp", chalice_version="9.9.9"
        ):
            if rendered.path.name.startswith("requirements"):
                for line in rendered.content.splitlines():
                    assert not line.startswith("chalice=="), (project_type, rendered.path)
                    assert not line.startswith("chalice["), (project_type, rendered.path)


def test_legacy_template_matches_upstream_shape() -> None:
    files = {str(f.path): f.content for f in newproj.render_template(
        ProjectType.LEGACY, app_name="hello", chalice_version="1")}  # fmt: skip
    assert set(files) == {".chalice/config.json", ".gitignore", "requirements.txt", "app.py"}
    assert json.loads(files[".chalice/config.json"]) == {
        "version": "2.0",
        "app_name": "hello",
        "stages": {"dev": {"api_gateway_stage": "api"}},
    }
    assert files["requirements.txt"] == ""
    assert "app_name='hello'" in files["app.py"]


def test_new_project_default_is_legacy(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new-project", "myapp"])
    assert result.exit_code == 0, result.output
    assert "Your project has been generated in ./myapp" in result.stdout
    assert (tmp_path / "myapp" / "app.py").is_file()
    assert not (tmp_path / "myapp" / "chalicelib").exists()


def test_new_project_with_type(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new-project", "api", "-t", "rest-api"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "api" / "tests" / "test_app.py").is_file()
    assert (tmp_path / "api" / "chalicelib" / "notes.py").is_file()


def test_existing_directory_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    result = runner.invoke(cli, ["new-project", "taken"])
    assert result.exit_code == 1
    assert "Directory already exists: taken" in result.stderr


def test_unknown_type_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["new-project", "x", "-t", "nope"])
    assert result.exit_code == 2


@pytest.mark.parametrize("bad", ["a/b", "my app", "it's", 'q"', "dot.name", "..", "caf\u00e9"])
def test_invalid_name(runner: CliRunner, bad: str) -> None:
    result = runner.invoke(cli, ["new-project", bad])
    assert result.exit_code == 2
    assert "Invalid project name" in result.stderr
    assert "Traceback" not in result.output


def test_interactive_prompt(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new-project"], input="chosen\n3\n")
    assert result.exit_code == 0, result.output
    assert "Select your project type" in result.output
    assert "Your project has been generated in ./chosen" in result.stdout
    app_py = (tmp_path / "chosen" / "app.py").read_text()
    assert "@app.lambda_function()" in app_py  # choice 3: lambda-only


def test_interactive_prompt_default_and_retry(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["new-project"], input="\nretry\n9\nabc\n\n")
    assert result.exit_code == 0, result.output
    assert "Please enter a number from 1 to 5." in result.output
    assert (tmp_path / "retry" / "chalicelib" / "notes.py").is_file()  # default: rest-api


def test_interactive_prompt_eof_aborts(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["new-project"], input="")
    assert result.exit_code == 1


def test_prompt_accepts_type_names() -> None:
    answers = iter(["n", "s3-event-handler"])
    name, chosen = newproj.prompt_for_project(lambda _p: next(answers), lambda _m: None)
    assert (name, chosen) == ("n", ProjectType.S3_EVENT_HANDLER)


def test_python_version_warning() -> None:
    assert newproj.python_version_warning((3, 11)) is None
    warning = newproj.python_version_warning((3, 8))
    assert warning is not None and "python3.9" in warning
    warning = newproj.python_version_warning((3, 15))
    assert warning is not None and "python3.13" in warning


def test_render_text_leaves_unknown_placeholders() -> None:
    assert newproj.render_text("{{app_name}} {{other}}", {"app_name": "a"}) == "a {{other}}"


def test_chalice_version_is_filled(tmp_path: Path) -> None:
    target = newproj.create_project(
        tmp_path, "v", ProjectType.REST_API, chalice_version=__version__
    )
    pins = (target / "requirements-dev.txt").read_text().splitlines()
    assert f"{__distribution__}=={__version__}" in pins


def _pytest_env() -> dict[str, str]:
    env = dict(os.environ)
    # The generated project must find the chalice under test, not another install.
    repo = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = repo + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    return env


@pytest.mark.parametrize("project_type", NEWER)
def test_generated_tests_pass(tmp_path: Path, project_type: ProjectType) -> None:
    project = newproj.create_project(
        tmp_path, f"gen{project_type.name.lower()}", project_type, chalice_version=__version__
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project, capture_output=True, text=True, timeout=120, env=_pytest_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This project built as a wheel, offline, from a copy of the sources."""
    pytest.importorskip("setuptools")
    import shutil

    tmp_path = tmp_path_factory.mktemp("wheel")
    repo = Path(__file__).resolve().parents[2]
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(repo / "pyproject.toml", src)
    (src / "README.rst").write_text("x\n")
    shutil.copytree(repo / "chalice", src / "chalice",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "--no-index", "-w", str(tmp_path / "dist"), str(src)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return next((tmp_path / "dist").glob("*.whl"))


@pytest.mark.slow
def test_templates_ship_in_the_wheel(wheel: Path) -> None:
    import zipfile

    repo = Path(__file__).resolve().parents[2]
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = repo / "chalice" / "templates"
    expected = {
        "chalice/templates/" + p.relative_to(templates).as_posix()
        for p in templates.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert expected and expected <= names, sorted(expected - names)


@pytest.mark.slow
@pytest.mark.parametrize("project_type", [ProjectType.REST_API, ProjectType.CDK_DDB])
def test_generated_requirements_install_this_project(
    wheel: Path, tmp_path: Path, project_type: ProjectType
) -> None:
    """``pip install --no-index --find-links DIR -r requirements...`` gets this project.

    Offline: the only index is the directory holding our wheel, and the fresh
    venv sees the test environment's packages (pytest, botocore, aws-cdk-lib...)
    through a ``.pth`` line, so a requirement can only be satisfied by our wheel
    or by something already installed. The editable checkout in the test
    environment is named differently, so it cannot satisfy the pin.
    """
    import sysconfig
    import venv

    assert wheel.name.startswith("chalice_ng-"), wheel.name
    if project_type is ProjectType.CDK_DDB:
        pytest.importorskip("aws_cdk")  # the [cdkv2] extra must resolve from what is installed
    project = newproj.create_project(tmp_path, "pinned", project_type, chalice_version=__version__)
    requirements = (
        project / "infrastructure" / "requirements.txt"
        if project_type is ProjectType.CDK_DDB
        else project / "requirements-dev.txt"
    )
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # The test environment's packages, minus this checkout's own (editable)
    # install, which carries the same distribution name and would satisfy the
    # pin without our wheel: a shadow directory of links to everything else.
    shadow = tmp_path / "outer-site"
    shadow.mkdir()
    for root in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(root).iterdir():
            if entry.name.startswith(("chalice", "__editable__")):
                continue
            if not (shadow / entry.name).exists():
                (shadow / entry.name).symlink_to(entry)
    (Path(site) / "outer.pth").write_text(f"{shadow}\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-index",
         "--find-links", str(wheel.parent), "-r", str(requirements)],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stdout + installed.stderr
    probe = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, chalice; "
         "print(m.version('chalice-ng')); print(chalice.__file__)"],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=True,
    ).stdout.split()  # fmt: skip
    assert probe[0] == __version__
    assert probe[1].startswith(site), probe[1]


@pytest.mark.slow
def test_newer_templates_deploy_to_the_emulator(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    # The s3 template watches '<app>-uploads' (BUCKET_NAME in its config).
    boto3.client("s3", region_name="us-west-2").create_bucket(
        Bucket="s3app-uploads", CreateBucketConfiguration={"LocationConstraint": "us-west-2"}
    )
    runner = CliRunner()
    for name, kind in (
        ("lambdaapp", ProjectType.LAMBDA_ONLY),
        ("s3app", ProjectType.S3_EVENT_HANDLER),
    ):
        project = newproj.create_project(tmp_path, name, kind, chalice_version=__version__)
        monkeypatch.chdir(project)
        deployed = runner.invoke(cli, ["deploy"])
        assert deployed.exit_code == 0, deployed.output
        assert "Resources deployed:" in deployed.stdout
        planned = runner.invoke(cli, ["plan"])
        assert "0 to create, 0 to update, 0 to delete" in planned.stdout, planned.output
        deleted = runner.invoke(cli, ["delete"])
        assert deleted.exit_code == 0, deleted.output


@settings(max_examples=50, deadline=None)
@given(
    name=st.from_regex(r"\A[A-Za-z0-9_-]{1,40}\Z"),
    project_type=st.sampled_from(SINGLE),
)
def test_any_plain_name_renders_valid_config(name: str, project_type: ProjectType) -> None:
    files = {str(f.path): f.content for f in newproj.render_template(
        project_type, app_name=name, chalice_version="1.0")}  # fmt: skip
    assert json.loads(files[".chalice/config.json"])["app_name"] == name
    assert newproj.validate_project_name(name) == name


def test_cli_offers_every_template() -> None:
    from chalice.cli.commands_project import new_project

    option = next(p for p in new_project.params if p.name == "project_type")
    assert list(option.type.choices) == [t.value for t in ProjectType]  # type: ignore[attr-defined]


def test_cdk_template_layout() -> None:
    files = {str(f.path): f.content for f in newproj.render_template(
        ProjectType.CDK_DDB, app_name="my_app", chalice_version="9.9.9")}  # fmt: skip
    for required in ("infrastructure/app.py", "infrastructure/cdk.json",
                     "infrastructure/stacks/chaliceapp.py", "infrastructure/requirements.txt",
                     "runtime/app.py", "runtime/.chalice/config.json"):  # fmt: skip
        assert required in files, sorted(files)
    assert not any("{{" in text for text in files.values())
    assert files["infrastructure/requirements.txt"].strip() == "chalice-ng[cdkv2]==9.9.9"
    assert json.loads(files["runtime/.chalice/config.json"])["app_name"] == "my_app"
    assert "APP_TABLE_NAME" in files["runtime/app.py"]
    assert "from chalice.cdk import Chalice" in files["infrastructure/stacks/chaliceapp.py"]
    for name in ("infrastructure/app.py", "infrastructure/stacks/chaliceapp.py", "runtime/app.py"):
        compile(files[name], name, "exec")


def test_cdk_template_runtime_tests_pass(tmp_path: Path) -> None:
    pytest.importorskip("boto3")
    project = newproj.create_project(
        tmp_path, "cdkgen", ProjectType.CDK_DDB, chalice_version=__version__
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=project / "runtime", capture_output=True, text=True, timeout=120, env=_pytest_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
