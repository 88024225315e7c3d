"""PEP 552 bytecode for the package: names, format, when it applies."""

from __future__ import annotations

import functools
import importlib.util
import marshal
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chalice.build.bytecode import bytecode_tag, compile_source, compile_sources, pyc_arcname
from chalice.build.packager import Packager
from chalice.build.wheels import Target
from chalice.config import Config
from chalice.errors import BuildError, ConfigError
from tests.build.test_packager import (
    PY,
    _full_project,
    _names,
    _wheels,
    copying_pip,
    needs_bytecode,
)

HERE = Target.for_lambda(f"python{sys.version_info[0]}.{sys.version_info[1]}", "x86_64")


def test_pyc_names_follow_the_interpreter_cache_tag() -> None:
    tag = sys.implementation.cache_tag
    assert pyc_arcname("app.py") == f"__pycache__/app.{tag}.pyc"
    assert pyc_arcname("chalicelib/db/models.py") == f"chalicelib/db/__pycache__/models.{tag}.pyc"


def test_only_for_the_same_python_version() -> None:
    other = Target(python=(3, 99), machine="x86_64", glibc=(2, 34))
    assert bytecode_tag(other) is None
    if sys.version_info >= (3, 11):
        assert bytecode_tag(HERE) is not None
    else:
        assert bytecode_tag(HERE) is None


def test_unchecked_hash_pyc_layout() -> None:
    source = b"X = {'a', 'b', 'c'}\ndef f():\n    return X\n"
    pyc = compile_source("pkg/mod.py", source)
    assert pyc is not None
    assert pyc[:4] == importlib.util.MAGIC_NUMBER
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked
    assert pyc[8:16] == importlib.util.source_hash(source)
    code = marshal.loads(pyc[16:])
    assert code.co_filename == "pkg/mod.py"
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["X"] == {"a", "b", "c"}
    assert compile_source("pkg/mod.py", source) == pyc


@pytest.mark.parametrize("source", [b"def (:\n", b"print 'python 2'\n", b"x = '\0'"])
def test_sources_that_do_not_compile_get_no_bytecode(source: bytes) -> None:
    assert compile_source("bad.py", source) is None


# -- marshal format 4, reproducibly ----------------------------------------------------

SAMPLE = (
    b"import os\nNAMES = ('alpha', 'beta', 'alpha')\nSETTINGS = {'alpha': 1, 'beta': 2}\n"
    b"def lookup(name):\n    return SETTINGS.get(name, os.environ.get(name))\n"
    b"class Thing:\n    def alpha(self):\n        return lookup('alpha')\n"
    b"    def beta(self):\n        return lookup('beta')\n"
)


def test_pyc_uses_the_standard_marshal_format() -> None:
    """Format 4 (what py_compile and pip write) shares repeated objects; format 2 repeats them."""
    pyc = compile_source("pkg/mod.py", SAMPLE)
    assert pyc is not None
    code = marshal.loads(pyc[16:])
    assert len(pyc[16:]) < len(marshal.dumps(code, 2))
    namespace: dict[str, object] = {}
    exec(code, namespace)
    assert namespace["lookup"]("alpha") == 1  # type: ignore[operator]


def test_pyc_bytes_do_not_depend_on_the_building_process() -> None:
    """The same bytes from this (test runner) process and from a bare interpreter."""
    here = compile_sources([("a.py", SAMPLE), ("b.py", b"x = 1\n"), ("bad.py", b"def (:\n")])
    script = (
        "import sys; from chalice.build.bytecode import compile_sources\n"
        "out = compile_sources([('a.py', sys.stdin.buffer.read())])[0]\n"
        "sys.stdout.buffer.write(out)"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    there = subprocess.run(
        [sys.executable, "-c", script], input=SAMPLE, capture_output=True, check=True, env=env
    ).stdout
    assert here[0] == there
    assert here[1] == compile_source("b.py", b"x = 1\n")
    assert here[2] is None
    # Order does not leak between files: alone or after others, the same bytes.
    assert compile_sources([("b.py", b"x = 1\n"), ("a.py", SAMPLE)])[1] == here[0]


def test_cache_key_names_the_marshal_format() -> None:
    # Zips cached with the older format-2 pycs must not be reused.
    tag = bytecode_tag(HERE)
    if tag is not None:
        assert tag.endswith(f"-marshal{marshal.version}")


def test_compiler_failure_is_a_build_error_naming_the_opt_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sys, "executable", "/nonexistent/python")
    with pytest.raises(BuildError) as err:
        compile_source("a.py", b"x = 1\n")
    assert "precompile_bytecode" in str(err.value)


# -- the opt-out ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "stage", "expected"),
    [
        ({}, "dev", True),
        ({"precompile_bytecode": False}, "dev", False),
        ({"precompile_bytecode": False, "stages": {"prod": {"precompile_bytecode": True}}},
         "prod", True),
        ({"stages": {"prod": {"precompile_bytecode": False}}}, "prod", False),
        ({"stages": {"prod": {"precompile_bytecode": False}}}, "dev", True),
    ],
)  # fmt: skip
def test_config_key_per_stage_and_top_level(
    tmp_path: Path, document: dict[str, Any], stage: str, expected: bool
) -> None:
    cfg = Config.from_dict({"app_name": "a", **document}, project_dir=tmp_path, stage=stage)
    assert cfg.precompile_bytecode is expected


def test_config_key_type_is_checked(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        Config.from_dict({"app_name": "a", "precompile_bytecode": "no"}, project_dir=tmp_path)
    assert "precompile_bytecode" in str(err.value)


def test_config_key_is_not_per_function(tmp_path: Path) -> None:
    cfg = Config.from_dict(
        {"app_name": "a", "lambda_functions": {"f": {"precompile_bytecode": False}}},
        project_dir=tmp_path,
    )
    assert any("precompile_bytecode" in w for w in cfg.warnings)


@needs_bytecode
def test_opt_out_ships_sources_only_and_a_smaller_zip(tmp_path: Path) -> None:
    project = _full_project(tmp_path / "proj")
    packager = Packager(pip=copying_pip(_wheels(tmp_path / "wheels")))
    build = functools.partial(packager.build, project, runtime=PY, architecture="x86_64")
    with_pyc = build(automatic_layer=False)
    without = build(automatic_layer=False, precompile_bytecode=False)
    assert with_pyc.function.filename != without.function.filename  # cached apart
    names = _names(without.function.filename)
    assert not any(n.endswith(".pyc") for n in names)
    assert "app.py" in names
    assert {n for n in _names(with_pyc.function.filename) if not n.endswith(".pyc")} == set(names)
    assert (
        Path(str(without.function.filename)).stat().st_size
        < Path(str(with_pyc.function.filename)).stat().st_size
    )
    layered = build(automatic_layer=True, precompile_bytecode=False)
    assert layered.layer is not None
    assert not any(n.endswith(".pyc") for n in _names(layered.layer.filename))
