"""The packager with the real pip, against a local wheelhouse (no network).

The wheelhouse is built inside the test: a pure-Python project built with
``pip wheel``, a hand-made manylinux wheel holding a (dummy) extension
module, a pure sdist, and an sdist with a C extension. pip runs with
``PIP_NO_INDEX=1 PIP_FIND_LINKS=<wheelhouse>``, inherited by its subprocess.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from chalice.build.packager import Packager
from chalice.errors import MissingDependencyError

from .packaging_helpers import make_project, make_sdist, make_wheel

NATIVE_TAG = "cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64"
SO_NAME = "tinynative/_speed.cpython-311-x86_64-linux-gnu.so"


@pytest.fixture(scope="module")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    house = tmp_path_factory.mktemp("wheelhouse")
    source = tmp_path_factory.mktemp("tinypure-src")
    (source / "tinypure").mkdir()
    (source / "tinypure" / "__init__.py").write_text(
        "from tinynative import NATIVE\nPURE = 'pure:' + NATIVE\n"
    )
    (source / "setup.py").write_text(
        "from setuptools import setup\n"
        "setup(name='tinypure', version='1.0', packages=['tinypure'],"
        " install_requires=['tinynative>=1.0'])\n"
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--wheel-dir",
            str(house),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    make_wheel(
        house,
        "tinynative",
        "1.0",
        NATIVE_TAG,
        {"tinynative/__init__.py": "NATIVE = 'native'\n", SO_NAME: b"\x7fELF not really"},
    )
    make_sdist(house, "tinysrc", "2.0", files={"tinysrc/__init__.py": "SRC = 'sdist'\n"})
    make_sdist(
        house,
        "tinyc",
        "0.1",
        files={"tinyc/__init__.py": "", "tinyc/_fast.c": "int answer(void) { return 42; }\n"},
        built_tag="cp311-cp311-linux_x86_64",
    )
    return house


@pytest.fixture()
def offline(wheelhouse: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheelhouse))
    monkeypatch.delenv("PIP_INDEX_URL", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    yield wheelhouse


def test_real_pip_installs_wheels_and_builds_pure_sdists(offline: Path, tmp_path: Path) -> None:
    assert len(list(offline.glob("tinypure-1.0-py3-none-any.whl"))) == 1
    project = make_project(
        tmp_path / "proj", requirements="tinypure\ntinysrc==2.0\n./libs/locallib  # ours\n"
    )
    # A local project directory named in requirements.txt.
    sdist = make_sdist(tmp_path, "locallib", "0.3", files={"locallib/__init__.py": "L = 3\n"})
    with tarfile.open(sdist) as archive:
        archive.extractall(tmp_path / "unpacked", filter="data")
    (project / "libs").mkdir()
    (tmp_path / "unpacked" / "locallib-0.3").rename(project / "libs" / "locallib")
    reports: list[str] = []
    built = Packager(report=reports.append).build(
        project, runtime="python3.11", architecture="x86_64", automatic_layer=False
    )
    assert built.function.filename is not None
    with zipfile.ZipFile(built.function.filename) as archive:
        names = set(archive.namelist())
        assert archive.read("tinysrc/__init__.py") == b"SRC = 'sdist'\n"
    # tinynative came in as a dependency of tinypure, resolved for the target.
    assert {"tinypure/__init__.py", "tinynative/__init__.py", SO_NAME, "app.py"} <= names
    assert "locallib/__init__.py" in names
    assert any(n.startswith("tinypure-1.0.dist-info/") for n in names)
    assert any(n.startswith("tinysrc-2.0.dist-info/") for n in names)
    assert "No x86_64 wheel for tinysrc==2.0; building from source." in reports

    # The installed requirements are importable from the extracted package.
    task = tmp_path / "task"
    with zipfile.ZipFile(built.function.filename) as archive:
        archive.extractall(task)
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, '.'); import tinypure; print(tinypure.PURE)",
        ],
        cwd=task,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "pure:native"


def test_native_sdist_is_a_clear_error(offline: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="tinyc\n")
    with pytest.raises(MissingDependencyError) as info:
        Packager().build(
            project, runtime="python3.11", architecture="x86_64", automatic_layer=False
        )
    message = str(info.value)
    assert message.startswith("Could not install tinyc for python3.11 (x86_64)")
    assert "native code" in message
    assert "vendor/" in message


def test_no_wheel_for_the_architecture_is_a_clear_error(offline: Path, tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj", requirements="tinypure\n")
    with pytest.raises(MissingDependencyError, match="Could not install tinynative") as info:
        Packager().build(project, runtime="python3.11", architecture="arm64", automatic_layer=True)
    assert "aarch64" in str(info.value)
