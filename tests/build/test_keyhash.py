"""keyhash.sha256 gives hashlib's SHA-256 digests, whichever implementation it picks."""

from __future__ import annotations

import hashlib

import pytest

from chalice.build import keyhash


@pytest.mark.parametrize("size_hint", [0, 10, keyhash.LARGE + 1])
@pytest.mark.parametrize("data", [b"", b"abc", bytes(range(256)) * 5000])
def test_same_digest_as_hashlib(size_hint: int, data: bytes) -> None:
    h = keyhash.sha256(size_hint)
    h.update(data[:7])
    h.update(data[7:])
    assert h.hexdigest() == hashlib.sha256(data).hexdigest()
    assert h.digest() == hashlib.sha256(data).digest()
