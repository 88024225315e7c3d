"""PEP 552 bytecode for the package: names, format, when it applies."""

from __future__ import annotations

import importlib.util
import marshal
import sys

import pytest

from chalice.deploy.bytecode import bytecode_tag, compile_source, pyc_arcname
from chalice.deploy.wheels import Target

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
