"""Deterministic zip archives built from pre-compressed entries.

The same entries always give the same bytes: entries are sorted by name,
every timestamp is 1980-01-01 00:00:00, permissions are normalised to 0644
or 0755, there are no extra fields, comments or data descriptors, and the
"made by" system is always Unix. Entries carry their data already compressed
(``ZipEntry``), so an entry compressed once -- from a wheel or from a cached
archive -- can be copied into any number of zips without compressing again;
that is what makes rebuilding a package after an app-only change cheap.

Limits: no ZIP64 (a Lambda package is far below 4 GiB and 65535 files; we
raise ``BuildError`` beyond). This module never decides *what* goes in a zip.
"""

from __future__ import annotations

import os
import struct
import threading
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import attrs

from chalice.errors import BuildError

# Fixed deflate settings: the level is part of the output bytes.
COMPRESS_LEVEL = 6
STORED = 0
DEFLATED = 8

_DOS_DATE_1980_01_01 = (0 << 9) | (1 << 5) | 1
_DOS_TIME_MIDNIGHT = 0
_VERSION_MADE_BY = (3 << 8) | 20  # Unix, spec 2.0
_VERSION_NEEDED = 20
_UTF8_FLAG = 0x800
_FILE_MODE = 0o644
_EXEC_MODE = 0o755
_S_IFREG = 0o100000
_MAX_ENTRIES = 0xFFFF
_MAX_SIZE = 0xFFFFFFFF

_LOCAL = struct.Struct("<4sHHHHHIIIHH")
_CENTRAL = struct.Struct("<4sHHHHHHIIIHHHHHII")
_END = struct.Struct("<4sHHHHIIH")


@attrs.frozen
class ZipEntry:
    """One file of an archive, data already compressed with ``method``."""

    arcname: str
    data: bytes = attrs.field(repr=False)
    crc32: int
    size: int
    method: int = DEFLATED
    executable: bool = False

    def renamed(self, arcname: str) -> ZipEntry:
        """The same content under another name (used to prefix layer paths)."""
        return attrs.evolve(self, arcname=arcname)

    def read(self) -> bytes:
        """The uncompressed content."""
        if self.method == STORED:
            return self.data
        return zlib.decompress(self.data, -15)


def compress(arcname: str, content: bytes, *, executable: bool = False) -> ZipEntry:
    """A deflated entry for ``content`` (deterministic for a given zlib)."""
    compressor = zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15)
    data = compressor.compress(content) + compressor.flush()
    return ZipEntry(
        arcname=arcname,
        data=data,
        crc32=zlib.crc32(content),
        size=len(content),
        method=DEFLATED,
        executable=executable,
    )


def read_entries(path: Path) -> Iterator[ZipEntry]:
    """The file entries of any zip (a wheel, or one of ours), data left compressed.

    Directories are skipped. Entries neither stored nor deflated are
    decompressed by ``zipfile`` and deflated again.
    """
    import zipfile  # (with shutil, bz2, lzma) not needed when a cached zip is reused

    with zipfile.ZipFile(path) as archive, open(path, "rb") as raw:
        for info in archive.infolist():
            if info.is_dir():
                continue
            executable = bool((info.external_attr >> 16) & 0o111)
            if info.compress_type not in (STORED, DEFLATED) or info.flag_bits & 0x1:
                yield compress(info.filename, archive.read(info), executable=executable)
                continue
            raw.seek(info.header_offset)
            header = raw.read(_LOCAL.size)
            fields = _LOCAL.unpack(header)
            if fields[0] != b"PK\x03\x04":
                raise BuildError(f"Corrupt zip file {path}: bad local header for {info.filename}.")
            raw.seek(fields[9] + fields[10], os.SEEK_CUR)
            data = raw.read(info.compress_size)
            yield ZipEntry(
                arcname=info.filename,
                data=data,
                crc32=info.CRC,
                size=info.file_size,
                method=info.compress_type,
                executable=executable,
            )


@attrs.frozen
class WrittenZip:
    """Where a zip was written and its hash (base64 SHA-256, as Lambda's CodeSha256)."""

    path: Path
    sha256: str
    uncompressed_size: int


def code_sha256(path: Path) -> str:
    """base64(sha256(file bytes)): the value Lambda reports as ``CodeSha256``."""
    import base64
    import hashlib  # (OpenSSL) when a zip is hashed, not on every cached build

    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return base64.b64encode(digest.digest()).decode("ascii")


def zip_bytes(entries: Iterable[ZipEntry]) -> bytes:
    """The archive bytes for ``entries``, sorted by name; duplicate names are an error."""
    ordered = sorted(entries, key=lambda e: e.arcname)
    if len(ordered) > _MAX_ENTRIES:
        raise BuildError(
            f"The deployment package would hold {len(ordered)} files; the limit is {_MAX_ENTRIES}.",
            fix="Trim requirements.txt or vendor/, or move dependencies to a Lambda layer.",
        )
    chunks: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    previous: str | None = None
    for entry in ordered:
        if entry.arcname == previous:
            raise BuildError(f"Two files map to the same path in the package: {entry.arcname}")
        previous = entry.arcname
        name = entry.arcname.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_FLAG
        if entry.size > _MAX_SIZE or len(entry.data) > _MAX_SIZE or offset > _MAX_SIZE:
            raise BuildError(f"{entry.arcname} is too large for a Lambda deployment package.")
        local = _LOCAL.pack(
            b"PK\x03\x04",
            _VERSION_NEEDED,
            flags,
            entry.method,
            _DOS_TIME_MIDNIGHT,
            _DOS_DATE_1980_01_01,
            entry.crc32,
            len(entry.data),
            entry.size,
            len(name),
            0,
        )
        mode = _EXEC_MODE if entry.executable else _FILE_MODE
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02",
                _VERSION_MADE_BY,
                _VERSION_NEEDED,
                flags,
                entry.method,
                _DOS_TIME_MIDNIGHT,
                _DOS_DATE_1980_01_01,
                entry.crc32,
                len(entry.data),
                entry.size,
                len(name),
                0,
                0,
                0,
                0,
                (_S_IFREG | mode) << 16,
                offset,
            )
            + name
        )
        chunks += (local, name, entry.data)
        offset += len(local) + len(name) + len(entry.data)
    directory = b"".join(central)
    if offset > _MAX_SIZE:
        raise BuildError("The deployment package is larger than 4 GiB.")
    end = _END.pack(b"PK\x05\x06", 0, 0, len(ordered), len(ordered), len(directory), offset, 0)
    return b"".join(chunks) + directory + end


def write_zip(path: Path, entries: Iterable[ZipEntry]) -> WrittenZip:
    """Write the archive atomically (temp file + rename) and return its hash."""
    entries = list(entries)
    data = zip_bytes(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)
    import base64
    import hashlib

    sha = base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
    return WrittenZip(path=path, sha256=sha, uncompressed_size=sum(e.size for e in entries))
