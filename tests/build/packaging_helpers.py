"""Builders for the packager tests: tiny projects, wheels, sdists, and a fake pip."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import shutil
import tarfile
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from chalice.build.pip import PipResult


def make_project(
    root: Path,
    *,
    app: str = "from chalice import Chalice\napp = Chalice(app_name='demo')\n",
    requirements: str | None = None,
    chalicelib: Mapping[str, str] | None = None,
    vendor: Mapping[str, str] | None = None,
) -> Path:
    """A minimal chalice project directory."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "app.py").write_text(app)
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements)
    for base, files in (("chalicelib", chalicelib), ("vendor", vendor)):
        for rel, content in (files or {}).items():
            path = root / base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content)
    return root


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def make_wheel(
    directory: Path,
    name: str,
    version: str,
    tag: str,
    files: Mapping[str, bytes | str],
    *,
    requires: Sequence[str] = (),
) -> Path:
    """A valid wheel ``<name>-<version>-<tag>.whl`` holding ``files``."""
    directory.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    contents: dict[str, bytes] = {
        k: v.encode() if isinstance(v, str) else v for k, v in files.items()
    }
    contents[f"{dist_info}/METADATA"] = metadata.encode()
    pure = tag.endswith("-none-any")
    contents[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: hand\n"
        f"Root-Is-Purelib: {'true' if pure else 'false'}\n"
        + "".join(f"Tag: {t}\n" for t in _expand(tag))
    ).encode()
    record = [_record_line(n, d) for n, d in contents.items()]
    record.append(f"{dist_info}/RECORD,,")
    contents[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in contents.items():
            archive.writestr(arcname, data)
    return path


def _expand(tag: str) -> list[str]:
    py, abi, plat = tag.split("-")
    return [f"{a}-{b}-{c}" for a in py.split(".") for b in abi.split(".") for c in plat.split(".")]


# A PEP 517 backend small enough to live inside a test sdist: it needs no
# build requirements, so pip can build it with build isolation and no index.
_BACKEND = """
import base64, hashlib, os, zipfile

NAME, VERSION, TAG = {name!r}, {version!r}, {tag!r}

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_sdist(config_settings=None):
    return []

def _files():
    out = {{}}
    for root, _dirs, names in os.walk(NAME):
        for n in names:
            if n.endswith((".py", ".so")):
                p = os.path.join(root, n)
                with open(p, "rb") as fh:
                    out[p.replace(os.sep, "/")] = fh.read()
    if TAG != "py3-none-any":
        out[NAME + "/_speedups.so"] = b"\\x7fELF compiled"
    return out

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    di = "%s-%s.dist-info" % (NAME, VERSION)
    files = _files()
    files[di + "/METADATA"] = ("Metadata-Version: 2.1\\nName: %s\\nVersion: %s\\n" % (NAME, VERSION)).encode()
    files[di + "/WHEEL"] = ("Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: %s\\n" % TAG).encode()
    lines = []
    for n, d in files.items():
        h = base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode()
        lines.append("%s,sha256=%s,%d" % (n, h, len(d)))
    lines.append(di + "/RECORD,,")
    files[di + "/RECORD"] = ("\\n".join(lines) + "\\n").encode()
    filename = "%s-%s-%s.whl" % (NAME, VERSION, TAG)
    with zipfile.ZipFile(os.path.join(wheel_directory, filename), "w") as z:
        for n, d in files.items():
            z.writestr(n, d)
    return filename
"""


def make_sdist(
    directory: Path,
    name: str,
    version: str,
    *,
    files: Mapping[str, str],
    built_tag: str = "py3-none-any",
) -> Path:
    """``<name>-<version>.tar.gz`` with an in-tree backend building a ``built_tag`` wheel."""
    directory.mkdir(parents=True, exist_ok=True)
    base = f"{name}-{version}"
    contents: dict[str, str] = {
        "pyproject.toml": (
            '[build-system]\nrequires = []\nbuild-backend = "tinybackend"\nbackend-path = ["."]\n'
        ),
        "tinybackend.py": _BACKEND.format(name=name, version=version, tag=built_tag),
        "PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        **files,
    }
    path = directory / f"{base}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for rel, text in sorted(contents.items()):
            data = text.encode()
            info = tarfile.TarInfo(f"{base}/{rel}")
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return path


class FakePip:
    """A ``PipRunner`` that records calls and answers from a handler."""

    def __init__(self, handler: Callable[[list[str]], PipResult]) -> None:
        self.calls: list[list[str]] = []
        self.envs: list[Mapping[str, str] | None] = []
        self._handler = handler

    def run(
        self, args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None
    ) -> PipResult:
        self.calls.append(list(args))
        self.envs.append(env)
        return self._handler(list(args))


def option(args: Sequence[str], name: str) -> str:
    """The value following ``name`` in an argument list."""
    return args[list(args).index(name) + 1]


def copying_pip(wheels: Sequence[Path]) -> FakePip:
    """A fake pip whose ``download`` succeeds by copying ``wheels`` to ``--dest``."""

    def handler(args: list[str]) -> PipResult:
        dest = Path(option(args, "--dest"))
        dest.mkdir(parents=True, exist_ok=True)
        for wheel in wheels:
            shutil.copy(wheel, dest / wheel.name)
        return PipResult(0, "Successfully downloaded")

    return FakePip(handler)


def unsatisfied(requirement: str) -> PipResult:
    """pip's output when no distribution matches ``requirement``."""
    return PipResult(
        1,
        f"ERROR: Could not find a version that satisfies the requirement {requirement} "
        f"(from versions: none)\nERROR: No matching distribution found for {requirement}\n",
    )


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
