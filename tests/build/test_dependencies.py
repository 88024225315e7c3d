"""Requirement resolution for a Lambda target, against a fake pip."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalice.build.dependencies import (
    DependencyResolver,
    has_requirements,
    scan_requirements,
    wheel_entries,
)
from chalice.build.pip import PipResult
from chalice.build.wheels import Target
from chalice.errors import BuildError, MissingDependencyError

from .packaging_helpers import FakePip, make_sdist, make_wheel, option, unsatisfied

TARGET = Target.for_lambda("python3.12", "x86_64")


def _requirements(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    return path


def test_fast_path_is_one_download_for_the_target(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "src", "dep", "1.0", "py3-none-any", {"dep/__init__.py": ""})

    def handler(args: list[str]) -> PipResult:
        dest = Path(option(args, "--dest"))
        dest.mkdir(parents=True)
        (dest / wheel.name).write_bytes(wheel.read_bytes())
        return PipResult(0, "ok")

    pip = FakePip(handler)
    reqs = _requirements(tmp_path, "dep\n")
    wheels = DependencyResolver(pip=pip).download(reqs, target=TARGET, work=tmp_path / "w")
    assert [w.name for w in wheels] == [wheel.name]
    [call] = pip.calls
    assert call[0] == "download"
    assert "--only-binary=:all:" in call
    assert option(call, "-r") == str(reqs)
    assert option(call, "--python-version") == "3.12"
    assert "manylinux_2_34_x86_64" in call and "manylinux2014_x86_64" in call


def _fallback_pip(tmp_path: Path, *, built_tag: str, build_ok: bool = True) -> FakePip:
    """pip that finds no wheel for ``srcpkg`` until a built one is on --find-links."""
    sdist = make_sdist(
        tmp_path / "index",
        "srcpkg",
        "2.0",
        files={"srcpkg/__init__.py": "", "srcpkg/fast.c": "int x;"},
        built_tag=built_tag,
    )

    def handler(args: list[str]) -> PipResult:
        if args[0] == "download" and "--only-binary=:all:" in args:
            built = Path(option(args, "--find-links"))
            found = sorted(built.glob("srcpkg-*.whl"))
            if not found:
                return unsatisfied("srcpkg>=1")
            dest = Path(option(args, "--dest"))
            dest.mkdir(parents=True)
            (dest / found[0].name).write_bytes(found[0].read_bytes())
            return PipResult(0, "ok")
        if args[0] == "download":
            assert "--no-binary=:all:" in args and args[-1] == "srcpkg>=1"
            dest = Path(option(args, "--dest"))
            dest.mkdir(parents=True)
            (dest / sdist.name).write_bytes(sdist.read_bytes())
            return PipResult(0, "ok")
        assert args[:2] == ["wheel", "--no-deps"]
        if not build_ok:
            return PipResult(1, "error: command 'gcc' failed: No such file or directory")
        binaries = {} if built_tag.endswith("none-any") else {"srcpkg/_fast.so": b"\x7fELF"}
        make_wheel(Path(option(args, "--wheel-dir")), "srcpkg", "2.0", built_tag, binaries)
        return PipResult(0, "built")

    return FakePip(handler)


def test_pure_sdist_is_built_and_offered_back_to_the_resolver(tmp_path: Path) -> None:
    pip = _fallback_pip(tmp_path, built_tag="py3-none-any")
    reqs = _requirements(tmp_path, "srcpkg>=1\n")
    reports: list[str] = []
    resolver = DependencyResolver(pip=pip, report=reports.append)
    wheels = resolver.download(reqs, target=TARGET, work=tmp_path / "w")
    assert [w.name for w in wheels] == ["srcpkg-2.0-py3-none-any.whl"]
    assert [c[0] for c in pip.calls] == ["download", "download", "wheel", "download"]
    assert reports == ["No x86_64 wheel for srcpkg>=1; building from source."]


def test_sdist_that_builds_native_code_is_a_clear_error(tmp_path: Path) -> None:
    pip = _fallback_pip(tmp_path, built_tag="cp312-cp312-linux_x86_64")
    reqs = _requirements(tmp_path, "srcpkg>=1\n")
    with pytest.raises(MissingDependencyError) as info:
        DependencyResolver(pip=pip).download(reqs, target=TARGET, work=tmp_path / "w")
    message = str(info.value)
    assert "srcpkg" in message
    assert "native code" in message
    assert "vendor/" in message and "manylinux" in message


def test_native_build_is_retried_without_a_compiler(tmp_path: Path) -> None:
    sdist = make_sdist(tmp_path / "index", "opt", "1.0", files={"opt/_speedups.c": ""})

    def handler(args: list[str]) -> PipResult:
        if args[0] == "download" and "--only-binary=:all:" in args:
            built = sorted(Path(option(args, "--find-links")).glob("*.whl"))
            if not built:
                return unsatisfied("opt")
            dest = Path(option(args, "--dest"))
            dest.mkdir(parents=True)
            (dest / built[0].name).write_bytes(built[0].read_bytes())
            return PipResult(0, "ok")
        if args[0] == "download":
            dest = Path(option(args, "--dest"))
            dest.mkdir(parents=True)
            (dest / sdist.name).write_bytes(sdist.read_bytes())
            return PipResult(0, "ok")
        no_compiler = pip.envs[-1] is not None and pip.envs[-1].get("CC") == "false"
        # The optional extension is skipped without a compiler; the wheel keeps
        # its platform tag, as setuptools does, but holds no binary.
        files = {"opt/__init__.py": ""} if no_compiler else {"opt/_speedups.so": b"\x7fELF"}
        make_wheel(
            Path(option(args, "--wheel-dir")), "opt", "1.0", "cp312-cp312-linux_x86_64", files
        )
        return PipResult(0, "built")

    pip = FakePip(handler)
    wheels = DependencyResolver(pip=pip).download(
        _requirements(tmp_path, "opt\n"), target=TARGET, work=tmp_path / "w"
    )
    assert [w.name for w in wheels] == ["opt-1.0-py3-none-any.whl"]
    assert [c[0] for c in pip.calls] == ["download", "download", "wheel", "wheel", "download"]
    assert pip.envs[2] is None and pip.envs[3] is not None


def test_native_sdist_that_fails_to_build_names_its_sources(tmp_path: Path) -> None:
    pip = _fallback_pip(tmp_path, built_tag="py3-none-any", build_ok=False)
    reqs = _requirements(tmp_path, "srcpkg>=1\n")
    with pytest.raises(MissingDependencyError, match=r"native code \(srcpkg-2.0/srcpkg/fast.c\)"):
        DependencyResolver(pip=pip).download(reqs, target=TARGET, work=tmp_path / "w")


def test_no_wheel_and_no_sdist(tmp_path: Path) -> None:
    pip = FakePip(lambda args: unsatisfied("ghost==1.0"))
    reqs = _requirements(tmp_path, "ghost==1.0\n")
    with pytest.raises(MissingDependencyError, match="no compatible wheel and no source"):
        DependencyResolver(pip=pip).download(reqs, target=TARGET, work=tmp_path / "w")


def test_other_pip_failures_show_pips_output(tmp_path: Path) -> None:
    pip = FakePip(lambda args: PipResult(1, "ERROR: ResolutionImpossible: a conflicts with b"))
    reqs = _requirements(tmp_path, "a\nb\n")
    with pytest.raises(BuildError, match="ResolutionImpossible") as info:
        DependencyResolver(pip=pip).download(reqs, target=TARGET, work=tmp_path / "w")
    assert info.value.where == str(reqs)


def test_incompatible_download_is_rejected(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "src", "bad", "1.0", "cp312-cp312-musllinux_1_1_x86_64", {})

    def handler(args: list[str]) -> PipResult:
        dest = Path(option(args, "--dest"))
        dest.mkdir(parents=True)
        (dest / wheel.name).write_bytes(wheel.read_bytes())
        return PipResult(0, "ok")

    reqs = _requirements(tmp_path, "bad\n")
    with pytest.raises(MissingDependencyError, match="bad 1.0 has no wheel"):
        DependencyResolver(pip=FakePip(handler)).download(reqs, target=TARGET, work=tmp_path / "w")


def test_wheel_entries_flatten_data_dirs_and_drop_the_rest(tmp_path: Path) -> None:
    wheel = make_wheel(
        tmp_path,
        "dep",
        "1.0",
        "py3-none-any",
        {
            "dep/__init__.py": "",
            "dep/__pycache__/__init__.cpython-312.pyc": b"stale",
            "dep-1.0.data/purelib/dep_pure.py": "",
            "dep-1.0.data/platlib/dep_plat.py": "",
            "dep-1.0.data/scripts/dep-tool": "#!python",
            "dep-1.0.data/headers/dep.h": "",
        },
    )
    names = sorted(e.arcname for e in wheel_entries(wheel))
    assert names == [
        "dep-1.0.dist-info/METADATA",
        "dep-1.0.dist-info/RECORD",
        "dep-1.0.dist-info/WHEEL",
        "dep/__init__.py",
        "dep_plat.py",
        "dep_pure.py",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", False),
        ("# only a comment\n\n   \n", False),
        ("requests  # http\n", True),
        ("-r base.txt", True),
    ],
)
def test_has_requirements(text: str, expected: bool) -> None:
    assert has_requirements(text.encode()) is expected


def test_scan_requirements_finds_includes_and_local_projects(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "libs" / "one").mkdir(parents=True)
    (tmp_path / "libs" / "one" / "setup.py").write_text("")
    (tmp_path / "two").mkdir()
    (tmp_path / "requirements.txt").write_text(
        "-r reqs/base.txt\nrequests>=2  # http\n./libs/one\n-e ./two\n./missing\nnot/../a-dir\n"
    )
    (tmp_path / "reqs" / "base.txt").write_text("--constraint=pins.txt\n-r ../requirements.txt\n")
    (tmp_path / "reqs" / "pins.txt").write_text("requests==2.31\nfile:../two\n")
    found = scan_requirements(tmp_path / "requirements.txt")
    assert found.included == (tmp_path / "reqs" / "base.txt", tmp_path / "reqs" / "pins.txt")
    assert found.local_projects == (tmp_path / "libs" / "one", tmp_path / "two")
    assert tmp_path / "libs" / "one" / "setup.py" in found.inputs()


def test_local_project_with_native_code_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "native").mkdir()
    reqs = _requirements(tmp_path, "./native\n")

    def handler(args: list[str]) -> PipResult:
        assert args[0] == "wheel"
        make_wheel(Path(option(args, "--wheel-dir")), "native", "1", "cp312-cp312-linux_x86_64", {})
        return PipResult(0, "built")

    with pytest.raises(MissingDependencyError, match="local project .*native code"):
        DependencyResolver(pip=FakePip(handler)).download(reqs, target=TARGET, work=tmp_path / "w")
