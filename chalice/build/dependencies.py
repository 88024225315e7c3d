"""Resolve ``requirements.txt`` into wheels for a Lambda target and unpack them.

Strategy (all pip work goes through the injected ``PipRunner``):

1. One ``pip download --only-binary=:all:`` of the whole requirements file with
   the target's platforms, Python version and ABIs. pip resolves the
   dependency tree *for the target*, and most projects are done here.
2. When pip reports a requirement it cannot satisfy with a wheel, fetch that
   one's source distribution, build it with ``pip wheel --no-deps`` and keep
   the result only if it is pure Python (``*-none-any``). The built wheel is
   offered back to step 1 through ``--find-links`` and step 1 runs again, so
   the built package's own dependencies are still resolved for the target.
3. A requirement whose source builds to native code (or does not build) is
   a ``MissingDependencyError`` naming it, saying why, and how to fix it.

Every downloaded wheel is checked again against the target's tags before it
is unpacked (``.data/purelib`` and ``.data/platlib`` are flattened to the
root, like an install; scripts, headers and data files are dropped).

This module never decides where the result goes (cache, zip layout); it
returns zip entries relative to site-packages.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from chalice.build.wheels import Target, is_compatible, normalize_name, parse_wheel_filename
from chalice.errors import BuildError, MissingDependencyError

if TYPE_CHECKING:  # pip.py (and subprocess) and zipfiles load only when used
    from chalice.build import zipfiles
    from chalice.build.pip import PipRunner

_UNSATISFIED_RE = re.compile(r"No matching distribution found for (\S+)")
_NAME_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_NATIVE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".h", ".pyx", ".rs", ".f", ".f90", ".go")
_BINARY_SUFFIXES = (".so", ".pyd", ".dll", ".dylib")
# Makes setuptools' compiler calls fail, so optional extensions are skipped.
_NO_COMPILER_ENV = {"CC": "false", "CXX": "false", "LDSHARED": "false", "LDCXXSHARED": "false"}
_SDIST_SUFFIXES = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".tar")

# Each pass may build one more source distribution; this bounds pathological loops.
_MAX_PASSES = 50

Report = Callable[[str], None]


def has_requirements(requirements: bytes) -> bool:
    """Whether a requirements file names anything (not only blanks and comments)."""
    for line in requirements.decode("utf-8", "replace").splitlines():
        if line.split("#", 1)[0].strip():
            return True
    return False


_INCLUDE_RE = re.compile(r"^\s*(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+)(\S+)")


@attrs.frozen
class RequirementFiles:
    """What a requirements file refers to on disk, besides index packages.

    ``included``: files pulled in with ``-r`` / ``-c`` (recursively).
    ``local_projects``: directories given as requirements (``./lib``,
    ``-e ./lib``, ``file:...``); pip "downloads" those without saving
    anything, so we build them ourselves.
    """

    included: tuple[Path, ...] = ()
    local_projects: tuple[Path, ...] = ()

    def inputs(self) -> list[Path]:
        """Every file whose content the installed requirements depend on."""
        files = list(self.included)
        for project in self.local_projects:
            for root, dirs, names in os.walk(project):
                dirs[:] = sorted(
                    d for d in dirs if d not in _NOT_SOURCE_DIRS and not d.endswith(".egg-info")
                )
                files += [Path(root) / n for n in sorted(names) if not n.endswith(".pyc")]
        return files


_NOT_SOURCE_DIRS = frozenset({"__pycache__", ".git", ".hg", "build", "dist", ".tox", ".venv"})


def scan_requirements(requirements: Path) -> RequirementFiles:
    """Find the files and directories a requirements file refers to (see ``RequirementFiles``).

    Missing files are left for pip to report.
    """
    included: list[Path] = []
    local: list[Path] = []
    pending = [requirements]
    seen = {requirements.resolve()}
    while pending:
        current = pending.pop(0)
        try:
            text = current.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        for line in text.splitlines():
            match = _INCLUDE_RE.match(line)
            if match is not None:
                path = (current.parent / match.group(1)).resolve()
                if path not in seen and path.is_file():
                    seen.add(path)
                    included.append(path)
                    pending.append(path)
                continue
            directory = _local_directory(line, current.parent)
            if directory is not None and directory not in local:
                local.append(directory)
    return RequirementFiles(included=tuple(included), local_projects=tuple(local))


def _local_directory(line: str, base: Path) -> Path | None:
    """The directory a requirement line points at, if it is a local project."""
    text = line.split(" #", 1)[0].strip()
    for editable in ("-e ", "--editable ", "--editable="):
        if text.startswith(editable):
            text = text[len(editable) :].strip()
    if not text or text.startswith("-"):
        return None
    text = text.split(";", 1)[0].strip()
    if text.startswith("file://"):
        text = text[len("file://") :]
    elif text.startswith("file:"):
        text = text[len("file:") :]
    elif not text.startswith((".", "/", "~")) and os.sep not in text and "/" not in text:
        return None  # a package name, not a path
    path = (base / Path(text).expanduser()).resolve()
    return path if path.is_dir() else None


def requirement_name(requirement: str) -> str:
    """The normalised project name at the start of a requirement string."""
    match = _NAME_RE.match(requirement)
    return normalize_name(match.group(1)) if match else requirement


def _tail(output: str, lines: int = 25) -> str:
    return "\n".join(output.strip().splitlines()[-lines:])


class DependencyResolver:
    """Downloads (and where needed builds) the wheels a requirements file needs."""

    def __init__(self, *, pip: PipRunner, report: Report | None = None) -> None:
        self._pip = pip
        self._report = report or (lambda _msg: None)

    def download(self, requirements: Path, *, target: Target, work: Path) -> list[Path]:
        """Wheels for every requirement (and dependency) usable on ``target``.

        ``work`` is a scratch directory owned by the caller.
        """
        built = work / "built"
        built.mkdir(parents=True, exist_ok=True)
        local_wheels = [
            self._build_local_project(project, target=target, wheel_dir=work / "local" / str(i))
            for i, project in enumerate(scan_requirements(requirements).local_projects)
        ]
        attempted: set[str] = set()
        for attempt in range(_MAX_PASSES):
            dest = work / f"download-{attempt}"
            result = self._pip.run(
                [
                    "download",
                    "--only-binary=:all:",
                    "--dest",
                    str(dest),
                    "--find-links",
                    str(built),
                    *target.pip_args(),
                    "-r",
                    str(requirements),
                ],
                cwd=requirements.parent,
            )
            if result.ok:
                wheels = self._checked_wheels(dest, target)
                have = {_wheel_project(w) for w in wheels}
                return wheels + [w for w in local_wheels if _wheel_project(w) not in have]
            unsatisfied = _UNSATISFIED_RE.search(result.output)
            if unsatisfied is None:
                raise BuildError(
                    "pip could not download the requirements for "
                    f"{target.runtime} ({target.machine}):\n{_tail(result.output)}",
                    where=str(requirements),
                    fix="Check the requirement names and versions, and your network or "
                    "pip index settings.",
                )
            requirement = unsatisfied.group(1)
            name = requirement_name(requirement)
            if name in attempted:
                raise MissingDependencyError(
                    f"Could not install {name} for {target.runtime} ({target.machine}): "
                    f"pip still finds no usable distribution for {requirement}.\n"
                    f"{_tail(result.output, 10)}",
                    where=str(requirements),
                    fix=_vendor_fix(name, target),
                )
            attempted.add(name)
            self._report(f"No {target.machine} wheel for {requirement}; building from source.")
            self._build_pure_wheel(requirement, target=target, work=work, built=built)
        raise BuildError(
            f"Gave up resolving requirements after building {_MAX_PASSES} source distributions.",
            where=str(requirements),
        )

    def _checked_wheels(self, dest: Path, target: Target) -> list[Path]:
        wheels: list[Path] = []
        for path in sorted(dest.iterdir()) if dest.exists() else []:
            wheel = parse_wheel_filename(path.name)
            if wheel is None:
                raise BuildError(f"pip downloaded {path.name}, which is not a wheel.")
            if not is_compatible(wheel, target):
                raise MissingDependencyError(
                    f"{wheel.name} {wheel.version} has no wheel for {target.runtime} on "
                    f"{target.machine} (pip offered {path.name}).",
                    fix=_vendor_fix(wheel.name, target),
                )
            wheels.append(path)
        return wheels

    def _build_pure_wheel(
        self, requirement: str, *, target: Target, work: Path, built: Path
    ) -> None:
        name = requirement_name(requirement)
        sdists = work / "sdists" / name
        result = self._pip.run(
            [
                "download",
                "--no-binary=:all:",
                "--no-deps",
                "--python-version",
                f"{target.python[0]}.{target.python[1]}",
                "--dest",
                str(sdists),
                requirement,
            ]
        )
        sdist = _find_sdist(sdists) if result.ok else None
        if sdist is None:
            unknown = _unknown_release_error(name, requirement, result.output, target)
            if unknown is not None:
                raise unknown
            raise MissingDependencyError(
                f"Could not install {name} for {target.runtime} ({target.machine}): "
                "there is no compatible wheel and no source distribution for "
                f"{requirement}.\n{_tail(result.output, 10)}",
                fix=_vendor_fix(name, target),
            )
        native = _native_sources(sdist)
        # First as the package means to be built; if that compiled something,
        # again with the C/C++ compilers disabled: packages whose extensions
        # are optional speed-ups then fall back to pure Python.
        attempts: list[tuple[str, Mapping[str, str] | None]] = [("build", None)]
        if native:
            attempts.append(("nocc", _NO_COMPILER_ENV))
        failure = ""
        for label, env in attempts:
            wheel_dir = work / "wheels-from-source" / name / label
            result = self._pip.run(
                ["wheel", "--no-deps", "--wheel-dir", str(wheel_dir), str(sdist)], env=env
            )
            wheels = sorted(wheel_dir.glob("*.whl")) if result.ok else []
            if not wheels:
                failure = (
                    f"its source distribution contains native code ({', '.join(native[:3])}) "
                    "and has no manylinux wheel"
                    if native
                    else "its source distribution failed to build"
                )
                failure += f".\n{_tail(result.output, 10)}"
                continue
            usable = _as_pure_wheel(wheels[0], target)
            if usable is not None:
                usable.replace(built / usable.name)
                return
            failure = (
                f"it contains native code (building its source gave {wheels[0].name}, "
                "which only runs on the build machine) and there is no compatible "
                "manylinux wheel."
            )
        raise MissingDependencyError(
            f"Could not install {name} for {target.runtime} ({target.machine}): {failure}",
            fix=_vendor_fix(name, target),
        )

    def _build_local_project(self, project: Path, *, target: Target, wheel_dir: Path) -> Path:
        """A wheel of a local project directory named in requirements; pure Python only."""
        result = self._pip.run(["wheel", "--no-deps", "--wheel-dir", str(wheel_dir), str(project)])
        built = sorted(wheel_dir.glob("*.whl")) if result.ok else []
        if not built:
            raise BuildError(
                f"Could not build the local project {project}:\n{_tail(result.output)}",
                where=str(project),
                fix="Make sure it builds with 'pip wheel', or copy its code into vendor/.",
            )
        wheel = parse_wheel_filename(built[0].name)
        if wheel is None or not wheel.is_pure or not is_compatible(wheel, target):
            raise MissingDependencyError(
                f"The local project {project} contains native code (it built as "
                f"{built[0].name}, which only runs on the build machine).",
                where=str(project),
                fix=f"Build it for Amazon Linux ({target.runtime}, {target.machine}) and put "
                "the result in vendor/, then remove it from requirements.txt.",
            )
        return built[0]


def _as_pure_wheel(path: Path, target: Target) -> Path | None:
    """``path`` if it is usable on ``target`` as pure Python, else None.

    A wheel tagged for the build machine that holds no compiled files (an
    optional extension that was not built) is pure in fact: it is renamed
    ``py3-none-any`` so that pip, asked for the target's platforms, accepts
    it from ``--find-links``.
    """
    wheel = parse_wheel_filename(path.name)
    if wheel is None:
        return None
    if wheel.is_pure:
        return path if is_compatible(wheel, target) else None
    if _has_binaries(path):
        return None
    pure = path.with_name(f"{path.name.split('-')[0]}-{wheel.version}-py3-none-any.whl")
    path.replace(pure)
    return pure


def _has_binaries(wheel: Path) -> bool:
    """Whether a wheel holds compiled code (extension modules, shared libraries, ELF files)."""
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            if info.filename.endswith(_BINARY_SUFFIXES) or ".so." in info.filename:
                return True
            if not info.is_dir() and info.file_size >= 4:
                with archive.open(info) as fh:
                    if fh.read(4) == b"\x7fELF":
                        return True
    return False


def _wheel_project(path: Path) -> str:
    wheel = parse_wheel_filename(path.name)
    return wheel.name if wheel else path.name


_VERSIONS_RE = re.compile(r"\(from versions: ([^)]*)\)")


def _unknown_release_error(
    name: str, requirement: str, output: str, target: Target
) -> MissingDependencyError | None:
    """The error when pip found no source release matching ``requirement``.

    Pip cannot tell a misspelt name, a version that does not exist or an
    unreachable index from a project that only publishes wheels for other
    platforms, so the fix names those causes before the vendor/ advice.
    """
    found = _VERSIONS_RE.search(output)
    if found is None:
        return None
    versions = found.group(1).strip()
    what = (
        f"Could not install {name} for {target.runtime} ({target.machine}): there is no "
        f"compatible wheel and no source distribution for {requirement}."
    )
    if versions == "none":
        first = (
            f"if {name!r} or its version in requirements.txt is misspelt, or pip cannot "
            "reach your package index (network, PIP_INDEX_URL, pip.conf), fix that; "
        )
    else:
        shown = versions if len(versions) <= 200 else "..., " + versions[-200:]
        what += f" Source distributions exist for versions: {shown}."
        first = "pick one of those versions in requirements.txt, or "
    return MissingDependencyError(
        what, where="requirements.txt", fix=first + "otherwise " + _vendor_fix(name, target)
    )


def _vendor_fix(name: str, target: Target) -> str:
    return (
        f"pick a version of {name} that publishes manylinux wheels for "
        f"{target.abi} {target.machine} (or abi3), or build it for Amazon Linux "
        f"({target.runtime}, {target.machine}) and put the built package in vendor/ "
        "(then remove it from requirements.txt)."
    )


def _find_sdist(directory: Path) -> Path | None:
    if not directory.exists():
        return None
    for path in sorted(directory.iterdir()):
        if path.name.endswith(_SDIST_SUFFIXES):
            return path
    return None


def _native_sources(sdist: Path) -> list[str]:
    """Names of C/C++/Cython/Rust... source files inside a source distribution."""
    # Only when an sdist failed to build: keep these off cached builds.
    import tarfile
    import zipfile

    try:
        if sdist.name.endswith(".zip"):
            with zipfile.ZipFile(sdist) as archive:
                names = archive.namelist()
        else:
            with tarfile.open(sdist) as archive:
                names = archive.getnames()
    except (OSError, tarfile.TarError, zipfile.BadZipFile):
        return []
    return sorted(n for n in names if n.lower().endswith(_NATIVE_SUFFIXES))


def wheel_entries(wheel: Path) -> Iterator[zipfiles.ZipEntry]:
    """The files a wheel installs into site-packages, as zip entries (still compressed).

    ``<name>.data/purelib/`` and ``platlib/`` move to the root; the other
    ``.data`` parts (scripts, headers, data) are not importable and are dropped.
    Any ``__pycache__`` a wheel ships is dropped (we compile our own).
    """
    from chalice.build import zipfiles  # cached builds read no wheels

    for entry in zipfiles.read_entries(wheel):
        parts = entry.arcname.split("/")
        if parts[0].endswith(".data") and len(parts) > 2:
            if parts[1] not in ("purelib", "platlib"):
                continue
            entry = entry.renamed("/".join(parts[2:]))
            parts = parts[2:]
        if "__pycache__" in parts:
            continue
        yield entry
