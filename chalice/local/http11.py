"""A small, strict HTTP/1.1 request parser and response encoder.

The local server feeds each connection's bytes to a ``RequestParser`` and
writes each response as one ``bytes`` built by ``encode_response`` (one
``send`` per response, so Nagle's algorithm never delays a keep-alive
reply). Anything that is not well-formed HTTP/1.x raises ``BadRequest``,
which the server answers with a 400 and a closed connection. Pure: this
module does no I/O.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from http import HTTPStatus
from typing import NamedTuple

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 200
# One over API Gateway's 10 MiB payload limit: the gateway answers 413.
MAX_BODY_BYTES = 10 * 1024 * 1024 + 1

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_REASONS = {status.value: status.phrase for status in HTTPStatus}


class BadRequest(Exception):
    """The bytes on the connection are not a request we can parse (400/413/431)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class Request(NamedTuple):
    """One parsed request; ``headers`` keeps the client's names and order."""

    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    body: bytes
    keep_alive: bool


class _Head(NamedTuple):
    method: str
    target: str
    version: str
    headers: list[tuple[str, str]]
    content_length: int
    chunked: bool
    expect_continue: bool
    keep_alive: bool


def _find_head_end(buf: bytes) -> tuple[int, int]:
    # Tolerate bare-LF line endings (old tools, hand-typed netcat tests).
    crlf = buf.find(b"\r\n\r\n")
    lf = buf.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf <= lf):
        return crlf, 4
    if lf >= 0:
        return lf, 2
    return -1, 0


def _parse_head(raw: bytes) -> _Head:
    text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise BadRequest(f"Malformed request line: {lines[0][:100]!r}")
    method, target, version = parts
    if not _TOKEN.match(method):
        raise BadRequest(f"Malformed method: {method[:40]!r}")
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise BadRequest(f"Unsupported protocol version: {version[:40]!r}", 505)
    if target.startswith(("http://", "https://")):
        # Absolute form (proxies): keep only the path and query.
        slash = target.find("/", target.find("//") + 2)
        target = target[slash:] if slash >= 0 else "/"
    elif not target.startswith("/"):
        raise BadRequest(f"Malformed request target: {target[:100]!r}")
    if len(lines) - 1 > MAX_HEADERS:
        raise BadRequest("Too many headers", 431)
    headers: list[tuple[str, str]] = []
    content_length = 0
    chunked = expect_continue = False
    connection = ""
    seen_length = False
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not _TOKEN.match(name):
            raise BadRequest(f"Malformed header line: {line[:100]!r}")
        value = value.strip(" \t")
        headers.append((name, value))
        key = name.lower()
        if key == "content-length":
            if not (value.isascii() and value.isdigit()) or (seen_length and int(value) != content_length):
                raise BadRequest(f"Invalid Content-Length: {value[:40]!r}")
            content_length = int(value)
            seen_length = True
        elif key == "transfer-encoding":
            if value.lower() != "chunked":
                raise BadRequest(f"Unsupported Transfer-Encoding: {value[:40]!r}", 501)
            chunked = True
        elif key == "connection":
            connection = value.lower()
        elif key == "expect":
            expect_continue = value.lower() == "100-continue"
    if chunked and seen_length:
        raise BadRequest("Both Content-Length and Transfer-Encoding given")
    if content_length > MAX_BODY_BYTES:
        raise BadRequest("Request body too large", 413)
    if version == "HTTP/1.1":
        keep_alive = "close" not in connection
    else:
        keep_alive = "keep-alive" in connection
    return _Head(
        method, target, version, headers, content_length, chunked, expect_continue, keep_alive
    )


class RequestParser:
    """Incremental parser for the requests arriving on one connection.

    ``feed`` the bytes as they arrive and call ``next_request`` until it
    returns None (more bytes needed). Pipelined requests come out one by
    one. ``wants_continue`` turns True once when the client sent ``Expect:
    100-continue`` and is waiting for permission to send its body.
    """

    __slots__ = ("_buf", "_head", "_body_start", "wants_continue", "_continued")

    def __init__(self) -> None:
        self._buf = b""
        self._head: _Head | None = None
        self._body_start = 0
        self.wants_continue = False
        self._continued = False

    @property
    def pending(self) -> bool:
        """Whether unparsed bytes are buffered (a partial or pipelined request)."""
        return bool(self._buf)

    def feed(self, data: bytes) -> None:
        """Append bytes received from the client."""
        self._buf += data

    def next_request(self) -> Request | None:
        """The next complete request, or None until more bytes arrive."""
        if self._head is None:
            # Ignore stray CRLFs between pipelined requests (RFC 9112 section 2.2).
            if self._buf[:1] in (b"\r", b"\n"):
                self._buf = self._buf.lstrip(b"\r\n")
            end, sep = _find_head_end(self._buf)
            if end < 0:
                if len(self._buf) > MAX_HEAD_BYTES:
                    raise BadRequest("Request head too large", 431)
                return None
            self._head = _parse_head(self._buf[:end])
            self._body_start = end + sep
            self._continued = False
        head = self._head
        if head.chunked:
            parsed = _parse_chunked(self._buf, self._body_start)
            if parsed is None:
                self._ask_continue(head)
                return None
            body, consumed = parsed
        else:
            consumed = self._body_start + head.content_length
            if len(self._buf) < consumed:
                self._ask_continue(head)
                return None
            body = self._buf[self._body_start : consumed]
        self._buf = self._buf[consumed:]
        self._head = None
        return Request(head.method, head.target, head.version, head.headers, body, head.keep_alive)

    def _ask_continue(self, head: _Head) -> None:
        if head.expect_continue and not self._continued and len(self._buf) == self._body_start:
            self.wants_continue = self._continued = True


CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def _parse_chunked(buf: bytes, start: int) -> tuple[bytes, int] | None:
    # Returns (body, index after the message) or None when incomplete.
    parts: list[bytes] = []
    total = 0
    pos = start
    while True:
        line_end = buf.find(b"\n", pos)
        if line_end < 0:
            if len(buf) - pos > MAX_HEAD_BYTES:
                raise BadRequest("Malformed chunked body")
            return None
        size_text = buf[pos:line_end].rstrip(b"\r").split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest("Malformed chunk size") from None
        if size < 0:
            raise BadRequest("Malformed chunk size")
        pos = line_end + 1
        if size == 0:
            # Optional trailers, up to an empty line.
            while True:
                line_end = buf.find(b"\n", pos)
                if line_end < 0:
                    return None
                line = buf[pos:line_end].rstrip(b"\r")
                pos = line_end + 1
                if not line:
                    return b"".join(parts), pos
        total += size
        if total > MAX_BODY_BYTES:
            raise BadRequest("Request body too large", 413)
        if len(buf) < pos + size + 1:
            return None
        parts.append(buf[pos : pos + size])
        pos += size
        line_end = buf.find(b"\n", pos)
        if line_end < 0:
            return None
        if buf[pos:line_end].rstrip(b"\r"):
            raise BadRequest("Malformed chunked body")
        pos = line_end + 1


class _DateCache:
    __slots__ = ("second", "value")

    def __init__(self) -> None:
        self.second = -1
        self.value = ""

    def get(self) -> str:
        now = int(time.time())
        if now != self.second:
            self.value = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now))
            self.second = now
        return self.value


_DATE = _DateCache()
# Headers the server owns: an app-supplied value would corrupt the framing.
_HOP_BY_HOP = frozenset({"content-length", "transfer-encoding", "connection", "keep-alive"})


def _clean(value: str) -> str:
    # A CR or LF in a value would let a response split into two.
    if "\r" in value or "\n" in value:
        return value.replace("\r", " ").replace("\n", " ")
    return value


def encode_response(
    status: int,
    headers: Iterable[tuple[str, str]],
    body: bytes,
    *,
    keep_alive: bool,
    head_only: bool = False,
    version: str = "HTTP/1.1",
) -> bytes:
    """The full response (status line, headers, body) as one buffer.

    Adds ``Content-Length``, ``Date``, ``Connection`` when closing (or
    keeping an HTTP/1.0 connection open), and ``Content-Type:
    application/json`` when the app set none (API Gateway's default).
    """
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Unknown')}"]
    has_type = False
    for name, value in headers:
        lower = name.lower()
        if lower in _HOP_BY_HOP:
            continue
        if lower == "content-type":
            has_type = True
        lines.append(f"{_clean(name)}: {_clean(value)}")
    if not has_type:
        lines.append("Content-Type: application/json")
    lines.append(f"Content-Length: {len(body)}")
    lines.append(f"Date: {_DATE.get()}")
    if not keep_alive:
        lines.append("Connection: close")
    elif version == "HTTP/1.0":
        lines.append("Connection: keep-alive")
    lines.append("\r\n")
    head = "\r\n".join(lines).encode("utf-8")
    return head if head_only else head + body
