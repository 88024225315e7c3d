"""Precompiled bytecode for the package, so Lambda cold starts skip compiling.

A Lambda's code directory is read-only: Python cannot write ``__pycache__``
there, so without shipped bytecode every cold start compiles every module it
imports. We add ``__pycache__/<module>.<cache_tag>.pyc`` next to each ``.py``.

When it applies: only when the build interpreter is CPython with the same
``major.minor`` as the Lambda runtime (bytecode is version specific; the
magic number of a minor version is stable). Otherwise nothing is added and
the package still works, just with compilation at cold start.

The files are unchecked-hash pycs (PEP 552): they hold a hash of the source
instead of a timestamp (zip timestamps are fixed anyway), and Python loads
them without re-hashing the source. The file name compiled into the code
object is the path inside the package, never the build directory, so the
output depends only on the source bytes and the interpreter version.

Reproducibility: marshal's default format marks an object as shared when
its reference count is above one, and reference counts depend on whatever
else the building process holds (we saw the same source give different
bytes inside and outside a test runner). We write marshal format 2, which
has no shared-object references, so the bytes depend only on the code.
Python 3.10 wrote frozenset constants in hash order (randomised per
process), so we only compile for 3.11 and later.

This module only computes bytes; it never writes files.
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING

from chalice.deploy.wheels import Target

if TYPE_CHECKING:
    from chalice.deploy import zipfiles

# PEP 552 flags word: bit 0 = hash-based, bit 1 = check the source. Unchecked.
_UNCHECKED_HASH_FLAGS = (0b01).to_bytes(4, "little")
# marshal format without shared-object references (see the module docstring).
_MARSHAL_VERSION = 2
_FIRST_REPRODUCIBLE = (3, 11)


def bytecode_tag(target: Target) -> str | None:
    """The ``sys.implementation.cache_tag`` to compile for, or None if we cannot.

    Part of every cache key: a package built with bytecode differs from one without.
    """
    if sys.implementation.name != "cpython" or sys.version_info[:2] != target.python:
        return None
    if target.python < _FIRST_REPRODUCIBLE:
        return None
    tag = sys.implementation.cache_tag
    if tag is None:
        return None
    return f"{tag}-{importlib.util.MAGIC_NUMBER.hex()}"


def pyc_arcname(arcname: str) -> str:
    """``pkg/mod.py`` -> ``pkg/__pycache__/mod.cpython-312.pyc``."""
    directory, _, filename = arcname.rpartition("/")
    stem = filename[: -len(".py")]
    tag = sys.implementation.cache_tag
    prefix = f"{directory}/" if directory else ""
    return f"{prefix}__pycache__/{stem}.{tag}.pyc"


def compile_source(arcname: str, source: bytes) -> bytes | None:
    """The unchecked-hash pyc for ``source``; None if it does not compile.

    Files that do not compile (Python 2 leftovers, templates named ``.py``)
    are simply shipped without bytecode, as Python would have failed on them
    at import time anyway.
    """
    try:
        with warnings.catch_warnings():
            # e.g. invalid escape sequences: the user sees them when running locally.
            warnings.simplefilter("ignore")
            # A fresh, never-interned copy of the name, whatever ``arcname`` was.
            filename = arcname.encode("utf-8").decode("utf-8")
            code = compile(source, filename, "exec", dont_inherit=True, optimize=0)
    except (SyntaxError, ValueError):
        return None
    return (
        importlib.util.MAGIC_NUMBER
        + _UNCHECKED_HASH_FLAGS
        + importlib.util.source_hash(source)
        + marshal.dumps(code, _MARSHAL_VERSION)
    )


def bytecode_entries(entries: Iterable[zipfiles.ZipEntry]) -> list[zipfiles.ZipEntry]:
    """pyc entries for the ``.py`` entries among ``entries`` (call only when
    ``bytecode_tag`` is not None)."""
    return bytecode_for((e.arcname, e.read()) for e in entries if e.arcname.endswith(".py"))


def bytecode_for(sources: Iterable[tuple[str, bytes]]) -> list[zipfiles.ZipEntry]:
    """pyc entries for (arcname, source) pairs of ``.py`` files.

    Compiled serially in this process: worker processes gained little on
    2-core machines, and spawning them re-imports the caller's main module.
    The cost is paid on a first build only (results are cached).
    """
    from chalice.deploy import zipfiles  # not needed for bytecode_tag (cached builds)

    entries = []
    for arcname, source in sources:
        if not arcname.endswith(".py"):
            continue
        pyc = compile_source(arcname, source)
        if pyc is not None:
            entries.append(zipfiles.compress(pyc_arcname(arcname), pyc))
    return entries
