"""The deterministic zip writer: valid archives, fixed metadata, same bytes for same input."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalice.build import zipfiles
from chalice.errors import BuildError

_names = st.lists(
    st.from_regex(r"[a-z0-9_]{1,8}(/[a-z0-9_.]{1,8}){0,3}", fullmatch=True),
    min_size=0,
    max_size=12,
    unique=True,
)


def _entries(files: dict[str, bytes]) -> list[zipfiles.ZipEntry]:
    return [zipfiles.compress(name, data) for name, data in files.items()]


def test_archive_is_valid_and_normalised(tmp_path: Path) -> None:
    entries = [
        zipfiles.compress("b/run.sh", b"#!/bin/sh\necho hi\n", executable=True),
        zipfiles.compress("a.py", b"print('a')\n" * 50),
        zipfiles.compress("caf\u00e9.txt", b"utf-8 name"),
    ]
    written = zipfiles.write_zip(tmp_path / "out.zip", entries)
    with zipfile.ZipFile(written.path) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [i.filename for i in infos] == ["a.py", "b/run.sh", "caf\u00e9.txt"]
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_DEFLATED
            assert info.extra == b""
            assert info.create_system == 3
        modes = {i.filename: stat.S_IMODE(i.external_attr >> 16) for i in infos}
        assert modes == {"a.py": 0o644, "b/run.sh": 0o755, "caf\u00e9.txt": 0o644}
        assert archive.read("a.py") == b"print('a')\n" * 50
    assert written.sha256 == zipfiles.code_sha256(written.path)
    assert written.uncompressed_size == sum(e.size for e in entries)


def test_entries_are_copied_without_recompressing(tmp_path: Path) -> None:
    first = zipfiles.write_zip(tmp_path / "one.zip", _entries({"x/y.py": b"y = 1\n", "z": b""}))
    copied = list(zipfiles.read_entries(first.path))
    again = zipfiles.write_zip(tmp_path / "two.zip", copied)
    assert again.path.read_bytes() == first.path.read_bytes()
    renamed = zipfiles.write_zip(
        tmp_path / "three.zip", [e.renamed("p/" + e.arcname) for e in copied]
    )
    with zipfile.ZipFile(renamed.path) as archive:
        assert archive.read("p/x/y.py") == b"y = 1\n"


def test_reads_foreign_zips_with_extras_and_stored_entries(tmp_path: Path) -> None:
    path = tmp_path / "foreign.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("pkg/mod.py", date_time=(2020, 5, 5, 1, 2, 3))
        info.extra = b"\xca\xfe\x04\x00abcd"
        info.external_attr = 0o100755 << 16
        archive.writestr(info, b"x = 1\n", compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("pkg/data.bin", b"\x00" * 10, compress_type=zipfile.ZIP_STORED)
        archive.writestr("pkg/bz.txt", b"bzip", compress_type=zipfile.ZIP_BZIP2)
        archive.writestr("pkg/dir/", b"")
    entries = {e.arcname: e for e in zipfiles.read_entries(path)}
    assert set(entries) == {"pkg/mod.py", "pkg/data.bin", "pkg/bz.txt"}
    assert entries["pkg/mod.py"].executable
    assert entries["pkg/data.bin"].read() == b"\x00" * 10
    out = zipfiles.write_zip(tmp_path / "ours.zip", entries.values())
    with zipfile.ZipFile(out.path) as archive:
        assert archive.testzip() is None
        assert archive.read("pkg/bz.txt") == b"bzip"


def test_duplicate_names_are_an_error(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="same path"):
        zipfiles.zip_bytes(_entries({"a": b"1"}) + _entries({"a": b"2"}))


@settings(max_examples=40, deadline=None)
@given(names=_names, data=st.data())
def test_same_entries_in_any_order_give_the_same_bytes(
    names: list[str], data: st.DataObject
) -> None:
    # Names that are both a file and a directory prefix are fine for zip.
    files = {name: data.draw(st.binary(max_size=200)) for name in names}
    entries = _entries(files)
    shuffled = data.draw(st.permutations(entries))
    first = zipfiles.zip_bytes(entries)
    assert zipfiles.zip_bytes(shuffled) == first
    # And rebuilding from freshly compressed entries changes nothing either.
    assert zipfiles.zip_bytes(_entries(dict(reversed(list(files.items()))))) == first
