"""The packager: zip contents, caching, automatic layer, bytecode, determinism (fake pip)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalice.build.packager import (
    KEEP_ZIPS,
    REUSE_MESSAGE,
    BuiltPackages,
    Packager,
    runtime_files,
)
from chalice.build.pip import PipResult
from chalice.errors import BuildError

from .packaging_helpers import FakePip, copying_pip, make_project, make_wheel, option

PY = f"python{sys.version_info[0]}.{sys.version_info[1]}"
OTHER_PY = "python3.10" if sys.version_info[:2] != (3, 10) else "python3.11"
RUNTIME_NAMES = sorted(arcname for arcname, _ in runtime_files())
# Bytecode is only shipped for 3.11+ (see chalice/build/bytecode.py).
needs_bytecode = pytest.mark.skipif(sys.version_info < (3, 11), reason="no bytecode before 3.11")


def _wheels(directory: Path) -> list[Path]:
    return [
        make_wheel(
            directory,
            "dep",
            "1.0",
            "py3-none-any",
            {
                "dep/__init__.py": "VALUE = 'dep'\n",
                "dep-1.0.data/purelib/dep_extra.py": "",
                "dep-1.0.data/scripts/dep-tool": "#!python\n",
            },
        ),
        # A requirement that drags in another chalice must not replace our runtime.
        make_wheel(directory, "chalice", "0.1", "py3-none-any", {"chalice/__init__.py": "BAD"}),
    ]


def _names(path: str | None) -> list[str]:
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        return sorted(archive.namelist())


def _read(path: str | None, name: str) -> bytes:
    assert path is not None
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def _build(
    pip: FakePip,
    project: Path,
    *,
    runtime: str = OTHER_PY,
    layer: bool = False,
    reports: list[str] | None = None,
) -> BuiltPackages:
    packager = Packager(pip=pip, report=(reports.append if reports is not None else None))
    return packager.build(project, runtime=runtime, architecture="x86_64", automatic_layer=layer)


def _full_project(root: Path) -> Path:
    project = make_project(
        root,
        requirements="dep==1.0\n",
        chalicelib={"__init__.py": "", "util.py": "X = 1\n", "data/table.json": "{}"},
        vendor={"vendored/__init__.py": "V = 1\n", "single.py": ""},
    )
    (project / "chalicelib" / "__pycache__").mkdir()
    (project / "chalicelib" / "__pycache__" / "util.cpython-311.pyc").write_bytes(b"stale")
    (project / "chalicelib" / "old.pyc").write_bytes(b"stale")
    return project


def test_runtime_files_are_exactly_the_runtime() -> None:
    assert RUNTIME_NAMES[0] == "chalice/__init__.py"
    assert all(n == "chalice/__init__.py" or n.startswith("chalice/app/") for n in RUNTIME_NAMES)
    assert all(n.endswith(".py") and "__pycache__" not in n for n in RUNTIME_NAMES)
    for arcname, path in runtime_files():
        assert path.is_file()
        assert path.as_posix().endswith(arcname)


def test_zip_contents(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    built = _build(pip, project)
    assert built.layer is None
    names = _names(built.function.filename)
    assert names == sorted(
        [
            "app.py",
            "chalicelib/__init__.py",
            "chalicelib/data/table.json",
            "chalicelib/util.py",
            "vendored/__init__.py",
            "single.py",
            "dep/__init__.py",
            "dep_extra.py",
            "dep-1.0.dist-info/METADATA",
            "dep-1.0.dist-info/RECORD",
            "dep-1.0.dist-info/WHEEL",
            "chalice-0.1.dist-info/METADATA",
            "chalice-0.1.dist-info/RECORD",
            "chalice-0.1.dist-info/WHEEL",
            *RUNTIME_NAMES,
        ]
    )
    # Our runtime, not the one pip installed.
    assert _read(built.function.filename, "chalice/__init__.py") == (
        dict(runtime_files())["chalice/__init__.py"].read_bytes()
    )
    assert built.function.filename is not None
    assert Path(built.function.filename).parent == project / ".chalice" / "deployments"


def test_cache_hit_runs_no_pip_and_writes_nothing(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    first = _build(pip, project)
    assert len(pip.calls) == 1
    assert first.function.filename is not None
    before = os.stat(first.function.filename)
    content = Path(first.function.filename).read_bytes()
    reports: list[str] = []
    second = _build(pip, project, reports=reports)
    assert second == first
    assert len(pip.calls) == 1
    assert reports == [REUSE_MESSAGE]
    assert os.stat(first.function.filename).st_ino == before.st_ino
    assert Path(first.function.filename).read_bytes() == content


def test_app_only_change_reuses_installed_requirements(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    first = _build(pip, project)
    (project / "app.py").write_text("# changed\n")
    second = _build(pip, project)
    assert second.function.filename != first.function.filename
    assert second.function.sha256 != first.function.sha256
    assert len(pip.calls) == 1
    assert _read(second.function.filename, "app.py") == b"# changed\n"
    assert _names(second.function.filename) == _names(first.function.filename)
    # Reverting the change finds the first zip again.
    (project / "app.py").write_text("from chalice import Chalice\napp = Chalice(app_name='demo')\n")
    assert _build(pip, project) == first


def test_requirement_and_vendor_changes_rebuild(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    first = _build(pip, project)
    (project / "vendor" / "single.py").write_text("changed = True\n")
    second = _build(pip, project)
    assert second.function.sha256 != first.function.sha256
    assert len(pip.calls) == 1
    (project / "requirements.txt").write_text("dep==1.0\n# pinned\n")
    _build(pip, project)
    assert len(pip.calls) == 2


def test_no_requirements_means_no_pip(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="# nothing yet\n")
    pip = FakePip(lambda args: pytest.fail("pip must not run"))
    built = _build(pip, project, layer=True)
    assert built.layer is None
    assert _names(built.function.filename) == sorted(["app.py", *RUNTIME_NAMES])


def test_automatic_layer_splits_dependencies(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    built = _build(pip, project, layer=True)
    assert built.layer is not None
    assert _names(built.function.filename) == sorted(
        [
            "app.py",
            "chalicelib/__init__.py",
            "chalicelib/data/table.json",
            "chalicelib/util.py",
            *RUNTIME_NAMES,
        ]
    )
    assert Path(str(built.function.filename)).name.startswith("appcode-")
    assert Path(str(built.layer.filename)).name.startswith("managed-layer-")
    prefix = f"python/lib/{OTHER_PY}/site-packages/"
    layer_names = _names(built.layer.filename)
    assert all(n.startswith(prefix) for n in layer_names)
    assert {
        prefix + "dep/__init__.py",
        prefix + "vendored/__init__.py",
        prefix + "single.py",
    } <= set(layer_names)
    assert not any(n.startswith(prefix + "chalice/") for n in layer_names)
    # An app change leaves the layer untouched.
    (project / "app.py").write_text("# v2\n")
    again = _build(pip, project, layer=True)
    assert again.layer == built.layer
    assert again.function != built.function
    assert len(pip.calls) == 1


def test_layer_with_only_vendor(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", vendor={"v.py": "x = 1\n"})
    built = _build(copying_pip([]), project, layer=True)
    assert built.layer is not None
    assert _names(built.layer.filename) == [f"python/lib/{OTHER_PY}/site-packages/v.py"]


def test_permissions_follow_the_execute_bit(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", chalicelib={"tool.sh": "#!/bin/sh\n", "a.py": ""})
    os.chmod(project / "chalicelib" / "tool.sh", 0o700)
    os.chmod(project / "chalicelib" / "a.py", 0o600)
    built = _build(copying_pip([]), project)
    with zipfile.ZipFile(str(built.function.filename)) as archive:
        modes = {i.filename: (i.external_attr >> 16) & 0o777 for i in archive.infolist()}
    assert modes["chalicelib/tool.sh"] == 0o755
    assert modes["chalicelib/a.py"] == 0o644


def test_missing_app_py(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="no app.py"):
        _build(copying_pip([]), tmp_path)


def test_no_bytecode_when_the_build_python_differs(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    built = _build(copying_pip(_wheels(tmp_path / "wheels")), project, runtime=OTHER_PY)
    assert not any(n.endswith(".pyc") for n in _names(built.function.filename))


@needs_bytecode
def test_bytecode_when_the_build_python_matches(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    (project / "app.py").write_text("VALUE = 'from source'\n")
    (project / "chalicelib" / "broken.py").write_text("def (:\n")
    built = _build(copying_pip(_wheels(tmp_path / "wheels")), project, runtime=PY)
    tag = sys.implementation.cache_tag
    names = set(_names(built.function.filename))
    for module in [
        "app.py",
        "chalicelib/util.py",
        "vendored/__init__.py",
        "dep/__init__.py",
        *RUNTIME_NAMES,
    ]:
        directory, _, filename = module.rpartition("/")
        prefix = f"{directory}/" if directory else ""
        assert f"{prefix}__pycache__/{filename[:-3]}.{tag}.pyc" in names, module
    assert f"chalicelib/__pycache__/broken.{tag}.pyc" not in names
    # The stale bytecode from the project directory is not shipped.
    assert _read(built.function.filename, f"chalicelib/__pycache__/util.{tag}.pyc") != b"stale"

    # Lambda would load the pyc without compiling: prove it by changing the
    # source after extraction; an unchecked-hash pyc still wins.
    extracted = tmp_path / "task"
    with zipfile.ZipFile(str(built.function.filename)) as archive:
        archive.extractall(extracted)
    (extracted / "app.py").write_text("VALUE = 'recompiled'\n")
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, '.'); import app; print(app.VALUE)",
        ],
        cwd=extracted,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "from source"


@needs_bytecode
def test_bytecode_is_the_same_from_a_fresh_interpreter(tmp_path: Path) -> None:
    """Compiling in another process (other modules loaded) gives the same bytes."""
    project = _full_project(tmp_path / "a")
    shutil.rmtree(project / "vendor")
    (project / "requirements.txt").unlink()
    here = _build(copying_pip([]), project, runtime=PY)
    other = tmp_path / "b"
    shutil.copytree(project, other, ignore=shutil.ignore_patterns(".chalice"))
    script = (
        "import sys; from pathlib import Path; from chalice.build.packager import Packager\n"
        f"b = Packager().build(Path(sys.argv[1]), runtime={PY!r}, architecture='x86_64', "
        "automatic_layer=False)\nprint(b.function.sha256)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run(
        [sys.executable, "-c", script, str(other)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert out.stdout.strip() == here.function.sha256


_files = st.dictionaries(
    st.from_regex(r"[a-z]{1,6}(/[a-z]{1,6}){0,2}\.(py|txt)", fullmatch=True),
    st.text(alphabet="abc =\n'", max_size=40),
    max_size=6,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    chalicelib=_files,
    vendor=_files,
    mtimes=st.tuples(st.integers(0, 2**31), st.integers(0, 2**31)),
    umasks=st.tuples(
        st.sampled_from([0o022, 0o077, 0o002]), st.sampled_from([0o022, 0o027, 0o000])
    ),
    layer=st.booleans(),
)
def test_builds_are_byte_identical_across_directories(
    tmp_path_factory: pytest.TempPathFactory,
    chalicelib: dict[str, str],
    vendor: dict[str, str],
    mtimes: tuple[int, int],
    umasks: tuple[int, int],
    layer: bool,
) -> None:
    wheels = _wheels(tmp_path_factory.mktemp("wheels"))
    results = []
    for mtime, umask in zip(mtimes, umasks, strict=True):
        old = os.umask(umask)
        try:
            root = tmp_path_factory.mktemp("build") / "some" / "where"
            project = make_project(root, requirements="dep\n", chalicelib=chalicelib, vendor=vendor)
            for dirpath, _, filenames in os.walk(project):
                for name in filenames:
                    os.utime(Path(dirpath) / name, (mtime, mtime))
            built = _build(copying_pip(wheels), project, runtime=PY, layer=layer)
        finally:
            os.umask(old)
        results.append(built)
    first, second = results
    assert first.function.sha256 == second.function.sha256
    assert (
        Path(str(first.function.filename)).read_bytes()
        == Path(str(second.function.filename)).read_bytes()
    )
    assert Path(str(first.function.filename)).name == Path(str(second.function.filename)).name
    if first.layer is not None:
        assert second.layer is not None
        assert first.layer.sha256 == second.layer.sha256


def test_pip_is_given_the_target(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="dep\n")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    Packager(pip=pip).build(
        project, runtime="python3.12", architecture="arm64", automatic_layer=False
    )
    [call] = pip.calls
    assert "manylinux2014_aarch64" in call and "manylinux_2_34_aarch64" in call
    assert call[call.index("--python-version") + 1] == "3.12"


def test_pip_failure_leaves_no_cache(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="dep\n")
    pip = FakePip(lambda args: PipResult(1, "ERROR: network unreachable"))
    with pytest.raises(BuildError, match="network unreachable"):
        _build(pip, project)
    deployments = project / ".chalice" / "deployments"
    assert not list(deployments.rglob("*.zip")) if deployments.exists() else True


def test_included_requirement_files_are_inputs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="-r reqs/base.txt\n")
    (project / "reqs").mkdir()
    (project / "reqs" / "base.txt").write_text("-c pins.txt\ndep\n")
    (project / "reqs" / "pins.txt").write_text("dep==1.0\n")
    pip = copying_pip(_wheels(tmp_path / "wheels"))
    first = _build(pip, project)
    assert _build(pip, project) == first
    (project / "reqs" / "pins.txt").write_text("dep==1.1\n")
    second = _build(pip, project)
    assert len(pip.calls) == 2
    assert second.function.filename != first.function.filename


def test_local_project_files_are_inputs(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="./libs/mine\n")
    (project / "libs" / "mine").mkdir(parents=True)
    (project / "libs" / "mine" / "setup.py").write_text("# v1\n")
    wheel = _wheels(tmp_path / "wheels")[0]

    def handler(args: list[str]) -> PipResult:
        directory = option(args, "--wheel-dir" if args[0] == "wheel" else "--dest")
        Path(directory).mkdir(parents=True, exist_ok=True)
        shutil.copy(wheel, Path(directory) / wheel.name)
        return PipResult(0, "ok")

    pip = FakePip(handler)
    first = _build(pip, project)
    assert [c[0] for c in pip.calls] == ["wheel", "download"]
    assert _build(pip, project) == first
    (project / "libs" / "mine" / "setup.py").write_text("# v2\n")
    assert _build(pip, project) != first
    assert len(pip.calls) == 4


def test_old_zips_are_pruned(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    pip = copying_pip([])
    built = []
    for version in range(KEEP_ZIPS + 3):
        (project / "app.py").write_text(f"VERSION = {version}\n")
        built.append(_build(pip, project))
    zips = list((project / ".chalice" / "deployments").glob("*.zip"))
    assert len(zips) == KEEP_ZIPS
    assert Path(str(built[-1].function.filename)) in zips
    assert not Path(str(built[0].function.filename)).exists()
