"""Wheel tag compatibility with Lambda targets (pure; no pip, no disk)."""

from __future__ import annotations

import pytest

from chalice.build.wheels import (
    Target,
    is_compatible,
    normalize_name,
    parse_wheel_filename,
    platform_glibc,
)
from chalice.errors import BuildError

PY311_X86 = Target.for_lambda("python3.11", "x86_64")
PY312_X86 = Target.for_lambda("python3.12", "x86_64")
PY312_ARM = Target.for_lambda("python3.12", "arm64")
PY310_ARM = Target.for_lambda("python3.10", "arm64")


def test_targets_from_runtime_and_architecture() -> None:
    assert PY311_X86 == Target(python=(3, 11), machine="x86_64", glibc=(2, 26))
    assert PY312_ARM == Target(python=(3, 12), machine="aarch64", glibc=(2, 34))
    assert Target.for_lambda("python3.13", "x86_64").glibc == (2, 34)
    assert Target.for_lambda("python3.14", "x86_64").abi == "cp314"
    assert PY310_ARM.glibc == (2, 26)
    assert PY312_ARM.runtime == "python3.12"


@pytest.mark.parametrize(
    ("runtime", "arch"), [("nodejs18.x", "x86_64"), ("python3", "x86_64"), ("python3.12", "ppc")]
)
def test_unknown_targets_are_user_errors(runtime: str, arch: str) -> None:
    with pytest.raises(BuildError):
        Target.for_lambda(runtime, arch)


@pytest.mark.parametrize(
    ("filename", "target", "expected"),
    [
        # pure Python
        ("attrs-23.1.0-py3-none-any.whl", PY312_X86, True),
        ("six-1.16.0-py2.py3-none-any.whl", PY311_X86, True),
        ("old-1.0-py2-none-any.whl", PY311_X86, False),
        ("newer-1.0-py313-none-any.whl", PY312_X86, False),
        ("exact-1.0-py311-none-any.whl", PY311_X86, True),
        ("exact-1.0-cp311-none-any.whl", PY311_X86, True),
        ("exact-1.0-cp310-none-any.whl", PY311_X86, False),
        # legacy manylinux aliases
        ("a-1-cp311-cp311-manylinux1_x86_64.whl", PY311_X86, True),
        ("a-1-cp311-cp311-manylinux2010_x86_64.whl", PY311_X86, True),
        ("a-1-cp311-cp311-manylinux2014_x86_64.whl", PY311_X86, True),
        ("a-1-cp312-cp312-manylinux2014_aarch64.whl", PY312_ARM, True),
        ("a-1-cp312-cp312-manylinux2014_x86_64.whl", PY312_ARM, False),
        ("a-1-cp312-cp312-manylinux2014_aarch64.whl", PY312_X86, False),
        # PEP 600 glibc limits per runtime
        ("a-1-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", PY311_X86, True),
        ("a-1-cp311-cp311-manylinux_2_26_x86_64.whl", PY311_X86, True),
        ("a-1-cp311-cp311-manylinux_2_28_x86_64.whl", PY311_X86, False),
        ("a-1-cp312-cp312-manylinux_2_28_x86_64.whl", PY312_X86, True),
        ("a-1-cp312-cp312-manylinux_2_34_aarch64.whl", PY312_ARM, True),
        ("a-1-cp312-cp312-manylinux_2_35_aarch64.whl", PY312_ARM, False),
        ("a-1-cp310-cp310-manylinux_2_28_aarch64.whl", PY310_ARM, False),
        # wrong interpreter / ABI
        ("a-1-cp310-cp310-manylinux2014_x86_64.whl", PY311_X86, False),
        ("a-1-cp311-cp311d-manylinux2014_x86_64.whl", PY311_X86, False),
        ("a-1-pp310-pypy310_pp73-manylinux2014_x86_64.whl", PY311_X86, False),
        # stable ABI
        ("a-1-cp37-abi3-manylinux2014_x86_64.whl", PY312_X86, True),
        ("a-1-cp312-abi3-manylinux_2_17_aarch64.whl", PY312_ARM, True),
        ("a-1-cp313-abi3-manylinux2014_x86_64.whl", PY312_X86, False),
        ("a-1-py3-abi3-manylinux2014_x86_64.whl", PY312_X86, False),
        # platforms Lambda cannot load
        ("a-1-cp312-cp312-musllinux_1_1_x86_64.whl", PY312_X86, False),
        ("a-1-cp312-cp312-musllinux_1_2_aarch64.whl", PY312_ARM, False),
        ("a-1-cp312-cp312-linux_x86_64.whl", PY312_X86, False),
        ("a-1-cp312-cp312-macosx_11_0_arm64.whl", PY312_ARM, False),
        ("a-1-cp312-cp312-win_amd64.whl", PY312_X86, False),
        # compressed tag sets: any one tag is enough
        ("a-1-cp312-cp312-macosx_11_0_arm64.manylinux_2_17_aarch64.whl", PY312_ARM, True),
        ("a-1-cp311.cp312-cp311.cp312-manylinux2014_x86_64.whl", PY312_X86, True),
        # a build number is allowed
        ("a-1-1build-py3-none-any.whl", PY312_X86, True),
    ],
)
def test_wheel_compatibility(filename: str, target: Target, expected: bool) -> None:
    wheel = parse_wheel_filename(filename)
    assert wheel is not None
    assert is_compatible(wheel, target) is expected


def test_parse_wheel_filename() -> None:
    wheel = parse_wheel_filename("Foo_Bar-1.0-py2.py3-none-any.whl")
    assert wheel is not None
    assert wheel.name == "foo-bar"
    assert wheel.version == "1.0"
    assert wheel.tags == {("py2", "none", "any"), ("py3", "none", "any")}
    assert wheel.is_pure
    native = parse_wheel_filename("a-1-cp312-cp312-manylinux2014_x86_64.whl")
    assert native is not None and not native.is_pure
    assert parse_wheel_filename("a-1.tar.gz") is None
    assert parse_wheel_filename("not-a-wheel.whl") is None


def test_platform_glibc() -> None:
    assert platform_glibc("manylinux1_x86_64", "x86_64") == (2, 5)
    assert platform_glibc("manylinux2010_x86_64", "x86_64") == (2, 12)
    assert platform_glibc("manylinux2014_aarch64", "aarch64") == (2, 17)
    assert platform_glibc("manylinux_2_28_aarch64", "aarch64") == (2, 28)
    assert platform_glibc("manylinux_2_28_aarch64", "x86_64") is None
    assert platform_glibc("musllinux_1_1_x86_64", "x86_64") is None


def test_pip_platforms_cover_every_glibc_up_to_the_runtime() -> None:
    tags = PY311_X86.platform_tags()
    assert tags[0] == "manylinux_2_26_x86_64"
    assert "manylinux_2_17_x86_64" in tags and "manylinux_2_5_x86_64" in tags
    assert {"manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"} <= set(tags)
    assert "manylinux_2_27_x86_64" not in tags
    arm = PY312_ARM.platform_tags()
    assert arm[0] == "manylinux_2_34_aarch64"
    assert "manylinux2014_aarch64" in arm
    assert not any(t.startswith(("manylinux1", "manylinux2010")) for t in arm)
    args = PY312_ARM.pip_args()
    assert args[args.index("--python-version") + 1] == "3.12"
    assert [args[i + 1] for i, a in enumerate(args) if a == "--abi"] == ["cp312", "abi3", "none"]


def test_normalize_name() -> None:
    assert normalize_name("Foo.Bar__baz") == "foo-bar-baz"
