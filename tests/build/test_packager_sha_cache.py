"""A reused zip's hash comes from the ``.sha256`` record written with it, when still valid."""

from __future__ import annotations

import sys
from pathlib import Path

from chalice.build import zipfiles
from chalice.build.packager import Packager

from .packaging_helpers import make_project

RUNTIME = f"python{sys.version_info[0]}.{sys.version_info[1]}"


def _build(project: Path, *, layer: bool = False) -> tuple[str, str]:
    built = Packager().build(project, runtime=RUNTIME, architecture="x86_64", automatic_layer=layer)
    assert built.function.filename is not None and built.function.sha256 is not None
    return built.function.filename, built.function.sha256


def test_record_written_with_the_zip_and_used_on_reuse(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    filename, sha = _build(project)
    record = Path(filename + ".sha256")
    size, _, recorded = record.read_text().partition(" ")
    assert int(size) == Path(filename).stat().st_size
    assert recorded.strip() == sha == zipfiles.code_sha256(Path(filename))
    # A planted record of the right size is trusted (the zip is not re-read)...
    record.write_text(f"{size} {'A' * 43}=\n")
    assert _build(project) == (filename, "A" * 43 + "=")


def test_missing_or_stale_record_is_recomputed(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p")
    filename, sha = _build(project)
    record = Path(filename + ".sha256")
    record.unlink()
    assert _build(project) == (filename, sha)
    assert record.exists()
    record.write_text(f"1 {'A' * 43}=\n")  # wrong size: not this zip
    assert _build(project) == (filename, sha)
    record.write_text("garbage")
    assert _build(project) == (filename, sha)


def test_layer_zip_gets_a_record_too(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", vendor={"mod.py": "X = 1\n"})
    built = Packager().build(project, runtime=RUNTIME, architecture="x86_64", automatic_layer=True)
    assert built.layer is not None and built.layer.filename is not None
    record = Path(built.layer.filename + ".sha256")
    assert record.read_text().split()[1] == built.layer.sha256
    again = Packager().build(project, runtime=RUNTIME, architecture="x86_64", automatic_layer=True)
    assert again.layer == built.layer
