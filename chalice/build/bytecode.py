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

Format and reproducibility: the code objects are written in marshal's
current format (4, what ``py_compile`` and ``pip`` write). Format 4 stores an
object used twice once and refers back to it; format 2 repeats it, which
makes files 27-58% larger and slower to load. Which objects get such a
reference depends on their reference counts, and those depend on whatever
else the compiling process holds (we saw the same source give different
bytes inside and outside a test runner). So the compiling is done in a fresh
``python -I -S`` process (isolated: no site, no user environment) that
imports nothing but ``marshal``: its state, and so the bytes, depend only on
the interpreter and the sources. Python 3.10 wrote frozenset constants in
hash order (randomised per process), so we only compile for 3.11 and later.

This module only computes bytes; it never writes files (the compiler
process talks over pipes).
"""

from __future__ import annotations

import importlib.util
import marshal
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from chalice.build.wheels import Target
from chalice.errors import BuildError

if TYPE_CHECKING:
    from chalice.build import zipfiles

# PEP 552 flags word: bit 0 = hash-based, bit 1 = check the source. Unchecked.
_UNCHECKED_HASH_FLAGS = (0b01).to_bytes(4, "little")
_FIRST_REPRODUCIBLE = (3, 11)
# Run by ``python -I -S -W ignore`` (warnings such as invalid escape sequences are
# the user's to see when running locally). Frames on stdin: 4-byte name length,
# 8-byte source length, name, source. On stdout, per file: 8-byte length and the
# marshalled code (empty when the source does not compile). Each code object
# is dropped before the next file, so one file's result never depends on another's.
_COMPILER = """
import marshal, sys
read = sys.stdin.buffer.read
write = sys.stdout.buffer.write
while True:
    head = read(12)
    if len(head) < 12:
        break
    name = read(int.from_bytes(head[:4], 'little')).decode('utf-8')
    source = read(int.from_bytes(head[4:], 'little'))
    try:
        data = marshal.dumps(compile(source, name, 'exec', dont_inherit=True, optimize=0))
    except (SyntaxError, ValueError):
        data = b''
    write(len(data).to_bytes(8, 'little'))
    write(data)
    del name, source, data
sys.stdout.buffer.flush()
"""


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
    # The marshal format is part of the key: zips cached with format-2 files are not reused.
    return f"{tag}-{importlib.util.MAGIC_NUMBER.hex()}-marshal{marshal.version}"


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
    return compile_sources([(arcname, source)])[0]


def compile_sources(sources: Sequence[tuple[str, bytes]]) -> list[bytes | None]:
    """The pyc of each (arcname, source), or None where it does not compile.

    All files go through one fresh compiler process (see the module docstring).
    """
    if not sources:
        return []
    import subprocess  # only when compiling: a cached build starts no process

    request = bytearray()
    for arcname, source in sources:
        name = arcname.encode("utf-8")
        request += len(name).to_bytes(4, "little") + len(source).to_bytes(8, "little")
        request += name + source
    if not sys.executable:
        raise _compiler_error("the path of the running Python is unknown (sys.executable)")
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-S", "-W", "ignore", "-c", _COMPILER],
            input=bytes(request), capture_output=True, check=False,
        )  # fmt: skip
    except OSError as err:
        raise _compiler_error(str(err)) from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _compiler_error(detail[-1] if detail else f"exit status {done.returncode}")
    output = done.stdout
    results: list[bytes | None] = []
    offset = 0
    for _arcname, source in sources:
        size = int.from_bytes(output[offset : offset + 8], "little")
        code = output[offset + 8 : offset + 8 + size]
        offset += 8 + size
        if len(code) != size:
            raise _compiler_error("its output was cut short")
        results.append(
            importlib.util.MAGIC_NUMBER
            + _UNCHECKED_HASH_FLAGS
            + importlib.util.source_hash(source)
            + code
            if size
            else None
        )
    return results


def _compiler_error(detail: str) -> BuildError:
    return BuildError(
        f"Could not precompile the package's Python files: {detail}.",
        where=f"{sys.executable or 'python'} -I -S (the bytecode compiler process)",
        fix='Set "precompile_bytecode": false in .chalice/config.json to ship sources only '
        "(cold starts then compile the modules they import).",
    )


def bytecode_entries(entries: Iterable[zipfiles.ZipEntry]) -> list[zipfiles.ZipEntry]:
    """pyc entries for the ``.py`` entries among ``entries`` (call only when
    ``bytecode_tag`` is not None)."""
    return bytecode_for((e.arcname, e.read()) for e in entries if e.arcname.endswith(".py"))


def bytecode_for(sources: Iterable[tuple[str, bytes]]) -> list[zipfiles.ZipEntry]:
    """pyc entries for (arcname, source) pairs of ``.py`` files.

    Compiled serially in one compiler process: more workers gained little on
    2-core machines. The cost is paid on a first build only (results are cached).
    """
    from chalice.build import zipfiles  # not needed for bytecode_tag (cached builds)

    python = [(arcname, source) for arcname, source in sources if arcname.endswith(".py")]
    entries = []
    for (arcname, _source), pyc in zip(python, compile_sources(python), strict=True):
        if pyc is not None:
            entries.append(zipfiles.compress(pyc_arcname(arcname), pyc))
    return entries
