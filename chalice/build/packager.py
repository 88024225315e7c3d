"""Build the Lambda deployment package(s) of a project, with a content-addressed cache.

A function zip holds, at its root: the installed requirements of
``requirements.txt`` (resolved for the Lambda target, see ``dependencies``),
the *contents* of ``vendor/``, our runtime (``chalice/__init__.py`` and
``chalice/app/*.py``, nothing else of chalice), ``app.py`` and
``chalicelib/``. With ``automatic_layer`` the requirements and ``vendor/``
go to a separate layer zip under ``python/lib/pythonX.Y/site-packages/`` and
the function zip holds the app files only. When the build interpreter
matches the runtime, ``.pyc`` files are added (see ``bytecode``).

Zips are deterministic (``zipfiles``), so their SHA-256 only changes when an
input does. Everything is cached under ``<project>/.chalice/deployments/``:

* ``<key>-<runtime>-<arch>.zip`` (or ``appcode-`` / ``managed-layer-``): the
  zips themselves, named by a hash of every input (file names, contents and
  execute bits, runtime, architecture, layer mode, bytecode tag and the
  format version below). A hit costs reading and hashing the sources only:
  no pip, no compression.
* ``site-packages/<key>.zip``: the installed requirements, compressed, keyed
  by the requirements bytes, runtime, architecture and bytecode tag. An
  app-only change copies these compressed entries into the new zip without
  running pip or compressing them again.
* ``runtime/<key>.zip``: the runtime files, compressed and compiled, keyed by
  their contents; they only change when chalice does.

This module never talks to AWS and only runs pip through ``PipRunner``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

import chalice
from chalice.build import keyhash
from chalice.build.bytecode import bytecode_entries, bytecode_for, bytecode_tag
from chalice.build.dependencies import (
    DependencyResolver,
    has_requirements,
    scan_requirements,
    wheel_entries,
)
from chalice.build.wheels import Target
from chalice.deploy import models
from chalice.errors import BuildError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from chalice.build import zipfiles
    from chalice.build.pip import PipResult, PipRunner

# Bump when the layout or content rules of the zips change, so caches from an
# older chalice are not reused.
FORMAT_VERSION = "chalice-package-1"

REUSE_MESSAGE = "Reusing existing deployment package."
# Old builds kept in .chalice/deployments (least recently used go first).
KEEP_ZIPS = 20
KEEP_SITE_PACKAGES = 5
# Lambda's limit on the unzipped size of a function and its layers.
_LAMBDA_UNZIPPED_LIMIT = 250 * 1024 * 1024
_SKIPPED_DIRS = frozenset({"__pycache__"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")

Report = Callable[[str], None]


@attrs.frozen
class BuiltPackages:
    """The zips of one build: the function's and, with ``automatic_layer``, the layer's."""

    function: models.DeploymentPackage
    layer: models.DeploymentPackage | None = None


@attrs.frozen
class SourceFile:
    """A file read from the project, with the path it gets inside the zip."""

    arcname: str
    content: bytes = attrs.field(repr=False)
    executable: bool = False

    def entry(self) -> zipfiles.ZipEntry:
        """The compressed zip entry of this file."""
        from chalice.build import zipfiles  # writing zips only: not on a cached build

        return zipfiles.compress(self.arcname, self.content, executable=self.executable)


def runtime_files() -> list[tuple[str, Path]]:
    """(arcname, source path) of the chalice runtime shipped in every function zip.

    Exactly ``chalice/__init__.py`` and the ``.py`` files of ``chalice/app/``
    from the installed chalice; the runtime is standard library only, so
    nothing else of chalice (CLI, deploy tooling) is needed at run time.
    """
    root = Path(chalice.__file__).parent
    files = [("chalice/__init__.py", root / "__init__.py")]
    app_dir = root / "app"
    for path in sorted(app_dir.rglob("*.py")):
        relative = path.relative_to(app_dir)
        if _SKIPPED_DIRS.intersection(relative.parts):
            continue
        files.append((f"chalice/app/{relative.as_posix()}", path))
    return files


def _read(arcname: str, path: Path) -> SourceFile:
    try:
        mode = path.stat().st_mode
        content = path.read_bytes()
    except OSError as err:
        raise BuildError(f"Cannot read {path}: {err.strerror}.", where=str(path)) from err
    return SourceFile(arcname=arcname, content=content, executable=bool(mode & 0o111))


def _walk(directory: Path, prefix: str) -> list[SourceFile]:
    """Every file under ``directory`` (symlinks followed), minus bytecode caches."""
    files: list[SourceFile] = []
    if not directory.is_dir():
        return files
    for root, dirs, names in os.walk(directory, followlinks=True):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(names):
            if name.endswith(_SKIPPED_SUFFIXES):
                continue
            path = Path(root) / name
            relative = path.relative_to(directory).as_posix()
            files.append(_read(f"{prefix}{relative}", path))
    return files


@attrs.frozen
class ProjectSources:
    """Everything of a project (and of chalice) that goes into its zips."""

    runtime: tuple[SourceFile, ...]  # chalice/__init__.py, chalice/app/**
    app: tuple[SourceFile, ...]  # app.py, chalicelib/**
    vendor: tuple[SourceFile, ...]  # contents of vendor/, arcnames relative to it
    requirements: bytes
    # requirements.txt plus the files it includes (-r/-c) and the local projects it
    # names: what the caches key on.
    requirements_key: bytes = b""

    @classmethod
    def read(cls, project_dir: Path) -> ProjectSources:
        """Read the project's sources; a missing ``app.py`` is a ``BuildError``."""
        app_py = project_dir / "app.py"
        if not app_py.is_file():
            raise BuildError(
                "There is no app.py to package.",
                where=str(project_dir),
                fix="Run chalice from the project directory (the one holding app.py).",
            )
        runtime = tuple(_read(arcname, path) for arcname, path in runtime_files())
        app = [_read("app.py", app_py)]
        app += _walk(project_dir / "chalicelib", "chalicelib/")
        requirements_path = project_dir / "requirements.txt"
        requirements = b""
        requirements_key = b""
        if requirements_path.is_file():
            requirements = requirements_key = requirements_path.read_bytes()
            for included in scan_requirements(requirements_path).inputs():
                # Relative, so the key does not depend on where the project lives.
                name = Path(os.path.relpath(included, project_dir)).as_posix().encode("utf-8")
                requirements_key += b"\0%d:%s:" % (len(name), name) + included.read_bytes()
        return cls(
            runtime=runtime,
            app=tuple(app),
            vendor=tuple(_walk(project_dir / "vendor", "")),
            requirements=requirements,
            requirements_key=requirements_key,
        )


def _digest(*parts: bytes | str | Iterable[SourceFile]) -> str:
    """A hash over strings, bytes and file lists, unambiguous about boundaries."""
    items = [p if isinstance(p, (str, bytes)) else tuple(p) for p in parts]
    size = sum(
        len(p) if isinstance(p, (str, bytes)) else sum(len(s.content) for s in p) for p in items
    )
    digest = keyhash.sha256(size)
    for part in items:
        if isinstance(part, str):
            part = part.encode("utf-8")
        if isinstance(part, bytes):
            digest.update(b"B%d:" % len(part))
            digest.update(part)
            continue
        digest.update(b"F")
        for source in part:
            name = source.arcname.encode("utf-8")
            digest.update(
                b"%d:%s:%d:%d:" % (len(name), name, source.executable, len(source.content))
            )
            digest.update(source.content)
        digest.update(b";")
    return digest.hexdigest()[:32]


class _DefaultPip:
    """``pip.SubprocessPipRunner``, imported when pip first runs (a cached build never does)."""

    def run(
        self, args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> PipResult:
        from chalice.build.pip import SubprocessPipRunner

        return SubprocessPipRunner().run(args, cwd=cwd, env=env)


class Packager:
    """Builds (or reuses) the zips of a project. See the module docstring."""

    def __init__(self, *, pip: PipRunner | None = None, report: Report | None = None) -> None:
        self._pip: PipRunner = pip if pip is not None else _DefaultPip()
        self._report: Report = report or (lambda _msg: None)

    def build(
        self,
        project_dir: Path,
        *,
        runtime: str,
        architecture: str,
        automatic_layer: bool,
        precompile_bytecode: bool = True,
    ) -> BuiltPackages:
        """Build the function zip (and the layer zip if ``automatic_layer``), or reuse them.

        ``precompile_bytecode=False`` (config key ``precompile_bytecode``) ships
        sources only: smaller zips, slower cold starts.
        """
        target = Target.for_lambda(runtime, architecture)
        project_dir = Path(project_dir).resolve()
        sources = ProjectSources.read(project_dir)
        build = _Build(
            project_dir=project_dir,
            target=target,
            sources=sources,
            bytecode=bytecode_tag(target) if precompile_bytecode else None,
            resolver=DependencyResolver(pip=self._pip, report=self._report),
            report=self._report,
        )
        if automatic_layer:
            return BuiltPackages(function=build.app_only(), layer=build.layer())
        return BuiltPackages(function=build.combined(), layer=None)


@attrs.define
class _Build:
    """One build: the inputs and the steps shared by the combined and layered layouts."""

    project_dir: Path
    target: Target
    sources: ProjectSources
    bytecode: str | None
    resolver: DependencyResolver
    report: Report

    @property
    def deployments(self) -> Path:
        return self.project_dir / ".chalice" / "deployments"

    def _common(self) -> tuple[str, ...]:
        return (FORMAT_VERSION, self.target.runtime, self.target.machine, self.bytecode or "-")

    def _zip_path(self, prefix: str, key: str) -> Path:
        return self.deployments / f"{prefix}{key}-{self.target.runtime}-{self.target.machine}.zip"

    def combined(self) -> models.DeploymentPackage:
        s = self.sources
        key = _digest(*self._common(), "combined", s.requirements_key, s.vendor, s.runtime, s.app)
        path = self._zip_path("", key)
        return self._reuse_or_write(
            path,
            lambda: self._deps() + self._files(s.vendor) + self._runtime() + self._files(s.app),
        )

    def app_only(self) -> models.DeploymentPackage:
        s = self.sources
        key = _digest(*self._common(), "appcode", s.runtime, s.app)
        path = self._zip_path("appcode-", key)
        return self._reuse_or_write(path, lambda: self._runtime() + self._files(s.app))

    def layer(self) -> models.DeploymentPackage | None:
        s = self.sources
        if not has_requirements(s.requirements) and not s.vendor:
            return None
        key = _digest(*self._common(), "layer", s.requirements_key, s.vendor)
        path = self._zip_path("managed-layer-", key)
        if path.exists():
            _touch(path)
            return _package(path, _cached_sha256(path))
        entries = self._deps() + self._files(s.vendor)
        if not entries:
            return None
        prefix = f"python/lib/{self.target.runtime}/site-packages/"
        from chalice.build import zipfiles  # writing zips only: not on a cached build

        written = zipfiles.write_zip(
            path, [e.renamed(prefix + e.arcname) for e in _dedupe(entries)]
        )
        self._written(written)
        return _package(path, written.sha256)

    def _reuse_or_write(
        self, path: Path, entries: Callable[[], list[zipfiles.ZipEntry]]
    ) -> models.DeploymentPackage:
        if path.exists():
            self.report(REUSE_MESSAGE)
            _touch(path)
            return _package(path, _cached_sha256(path))
        self.report("Creating deployment package.")
        from chalice.build import zipfiles  # writing zips only: not on a cached build

        written = zipfiles.write_zip(path, _dedupe(entries()))
        self._written(written)
        return _package(path, written.sha256)

    def _written(self, written: zipfiles.WrittenZip) -> None:
        _save_sha256(written.path, written.sha256)
        if written.uncompressed_size > _LAMBDA_UNZIPPED_LIMIT:
            size = written.uncompressed_size / (1024 * 1024)
            self.report(
                f"Warning: {written.path.name} unzips to {size:.0f} MiB; Lambda allows "
                "250 MiB for a function and its layers together. Trim requirements.txt "
                "or vendor/."
            )
        _prune(self.deployments, "*.zip", keep=KEEP_ZIPS)

    def _files(self, files: Iterable[SourceFile]) -> list[zipfiles.ZipEntry]:
        files = list(files)
        entries = [f.entry() for f in files]
        if self.bytecode is not None:
            entries += bytecode_for((f.arcname, f.content) for f in files)
        return entries

    def _runtime(self) -> list[zipfiles.ZipEntry]:
        """The runtime's entries (and bytecode), cached: they only change with chalice."""
        from chalice.build import zipfiles  # writing zips only: not on a cached build

        key = _digest(*self._common(), "runtime", self.sources.runtime)
        cached = self.deployments / "runtime" / f"{key}.zip"
        if cached.exists():
            _touch(cached)
            return list(zipfiles.read_entries(cached))
        entries = self._files(self.sources.runtime)
        zipfiles.write_zip(cached, entries)
        _prune(cached.parent, "*.zip", keep=KEEP_SITE_PACKAGES)
        return entries

    def _deps(self) -> list[zipfiles.ZipEntry]:
        """Installed requirements, from the site-packages cache or pip."""
        from chalice.build import zipfiles  # writing zips only: not on a cached build

        requirements = self.sources.requirements
        if not has_requirements(requirements):
            return []
        key = _digest(*self._common(), "site-packages", self.sources.requirements_key)
        cached = self.deployments / "site-packages" / f"{key}.zip"
        if cached.exists():
            _touch(cached)
            return list(zipfiles.read_entries(cached))
        self.report(f"Installing requirements for {self.target.runtime} ({self.target.machine}).")
        import tempfile  # (with shutil) only when pip runs: not on a cached build

        with tempfile.TemporaryDirectory(prefix="chalice-pip-") as work:
            wheels = self.resolver.download(
                self.project_dir / "requirements.txt", target=self.target, work=Path(work)
            )
            installed: dict[str, zipfiles.ZipEntry] = {}
            for wheel in wheels:
                for entry in wheel_entries(wheel):
                    # Our runtime is the chalice that runs; never a pip-installed one.
                    if entry.arcname.split("/", 1)[0] == "chalice":
                        continue
                    installed[entry.arcname] = entry
        entries = list(installed.values())
        if self.bytecode is not None:
            entries += bytecode_entries(entries)
        zipfiles.write_zip(cached, entries)
        _prune(cached.parent, "*.zip", keep=KEEP_SITE_PACKAGES)
        return entries


def _touch(path: Path) -> None:
    """Mark a cached file as recently used (pruning goes by modification time)."""
    try:
        os.utime(path)
    except OSError:
        pass


def _prune(directory: Path, pattern: str, *, keep: int) -> None:
    """Delete all but the ``keep`` most recently used files matching ``pattern``.

    Best effort: a file another build is using or has just removed is skipped.
    """
    try:
        stamped = sorted(((p.stat().st_mtime_ns, p) for p in directory.glob(pattern)), reverse=True)
    except OSError:
        return
    for _, path in stamped[keep:]:
        for stale in (path, _sha256_path(path)):
            try:
                stale.unlink()
            except OSError:
                pass


def _sha256_path(zip_path: Path) -> Path:
    return zip_path.with_name(zip_path.name + ".sha256")


def _save_sha256(zip_path: Path, sha256: str) -> None:
    """Record a zip's hash next to it (``<size> <sha256>``), atomically; best effort."""
    target = _sha256_path(zip_path)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(f"{zip_path.stat().st_size} {sha256}\n", encoding="utf-8")
        os.replace(tmp, target)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass


def _cached_sha256(zip_path: Path) -> str:
    """The hash of a reused zip: from its ``.sha256`` file when its size still matches.

    Zips are written atomically and never modified, so the recorded hash holds;
    this saves reading the whole zip (tens of MB with big requirements) on
    every cached build. Missing or stale records are recomputed and rewritten.
    """
    try:
        size, _, sha256 = _sha256_path(zip_path).read_text(encoding="utf-8").partition(" ")
        if int(size) == zip_path.stat().st_size and len(sha256.strip()) == 44:
            return sha256.strip()
    except (OSError, ValueError):
        pass
    from chalice.build import zipfiles

    sha256 = zipfiles.code_sha256(zip_path)
    _save_sha256(zip_path, sha256)
    return sha256


def _dedupe(entries: list[zipfiles.ZipEntry]) -> list[zipfiles.ZipEntry]:
    """Later entries win: app files over runtime over vendor over requirements."""
    return list({entry.arcname: entry for entry in entries}.values())


def _package(path: Path, sha256: str) -> models.DeploymentPackage:
    return models.DeploymentPackage(filename=str(path), sha256=sha256)
