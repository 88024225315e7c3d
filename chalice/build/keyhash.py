"""SHA-256 for cache keys, without loading OpenSSL on the cached path.

Importing ``hashlib`` loads OpenSSL's libcrypto (2.5-4 ms here), a visible
share of a cached ``chalice package`` whose only hashing is of a few source
files for cache keys. CPython ships its own SHA-256 (module ``_sha2`` from
3.12, ``_sha256`` before) giving the same digests; ``sha256`` below uses it
for small inputs and ``hashlib`` (several times faster on large data: OpenSSL
uses the CPU's SHA instructions) for large ones or when the built-in module is
missing. Only the speed differs, never the digest. No I/O here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing import Protocol

    class Hash(Protocol):
        """What callers use of a hash object (hashlib's and the built-in one alike)."""

        def update(self, data: bytes, /) -> None: ...

        def digest(self) -> bytes: ...

        def hexdigest(self) -> str: ...


# Above this many bytes, loading OpenSSL pays for itself.
LARGE = 1 << 20


def _builtin() -> Any:
    try:
        from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        try:
            from _sha256 import sha256  # type: ignore[import-not-found,no-redef,unused-ignore]
        except ImportError:
            return None
    return sha256


_BUILTIN = _builtin()


def sha256(size_hint: int = 0) -> Hash:
    """A new SHA-256 hash object (``update``/``digest``/``hexdigest``).

    ``size_hint``: roughly how many bytes will be hashed.
    """
    if _BUILTIN is None or size_hint > LARGE:
        import hashlib

        return hashlib.sha256()
    new: Hash = _BUILTIN()
    return new
