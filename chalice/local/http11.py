"""A small, strict HTTP/1.1 request parser and response encoder.

The local server reads requests with ``read_request`` from a connection's
buffered bytes and writes each response as one ``bytes`` built by
``encode_response`` (one ``send`` per response, so Nagle's algorithm never
delays a keep-alive reply). Anything that is not well-formed HTTP/1.x
raises ``BadRequest``, which the server answers with a 400 and a closed
connection. This module does no socket I/O of its own beyond the injected
``recv``/``send`` callables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import NamedTuple

MAX_HEAD_BYTES = 64 * 1024
MAX_HEADERS = 200
# One over API Gateway's 10 MiB payload limit: the gateway answers 413.
MAX_BODY_BYTES = 10 * 1024 * 1024 + 1

_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
_REASONS = {status.value: status.phrase for status in HTTPStatus}

Recv = Callable[[], bytes]


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
            if not value.isdigit() or (seen_length and int(value) != content_length):
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


class RequestReader:
    """Reads successive requests from one connection (pipelining-safe).

    ``recv`` returns the next chunk of bytes (``b''`` at EOF); ``send`` is
    used only for ``100 Continue``.
    """

    def __init__(self, recv: Recv, send: Callable[[bytes], object]) -> None:
        self._recv = recv
        self._send = send
        self._buf = b""

    def _fill(self) -> bool:
        chunk = self._recv()
        if not chunk:
            return False
        self._buf += chunk
        return True

    def read_request(self) -> Request | None:
        """The next request, or None when the client closed between requests."""
        # Ignore stray CRLFs between pipelined requests (RFC 9112 §2.2).
        while True:
            self._buf = self._buf.lstrip(b"\r\n")
            end, sep = _find_head_end(self._buf)
            if end >= 0:
                break
            if len(self._buf) > MAX_HEAD_BYTES:
                raise BadRequest("Request head too large", 431)
            if not self._fill():
                if self._buf:
                    raise BadRequest("Connection closed in the middle of a request")
                return None
        head = _parse_head(self._buf[:end])
        self._buf = self._buf[end + sep :]
        if head.chunked:
            body = self._read_chunked(head.expect_continue)
        else:
            body = self._read_exact(head.content_length, head.expect_continue)
        return Request(head.method, head.target, head.version, head.headers, body, head.keep_alive)

    def _continue(self, expect: bool) -> None:
        if expect:
            self._send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _read_exact(self, length: int, expect: bool) -> bytes:
        if length == 0:
            return b""
        if len(self._buf) < length:
            self._continue(expect)
        while len(self._buf) < length:
            if not self._fill():
                raise BadRequest("Connection closed before the body was complete")
        body, self._buf = self._buf[:length], self._buf[length:]
        return body

    def _read_line(self) -> bytes:
        while True:
            end = self._buf.find(b"\n")
            if end >= 0:
                line, self._buf = self._buf[:end], self._buf[end + 1 :]
                return line.rstrip(b"\r")
            if len(self._buf) > MAX_HEAD_BYTES or not self._fill():
                raise BadRequest("Malformed chunked body")

    def _read_chunked(self, expect: bool) -> bytes:
        self._continue(expect and not self._buf)
        parts: list[bytes] = []
        total = 0
        while True:
            size_text = self._read_line().split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise BadRequest("Malformed chunk size") from None
            if size < 0:
                raise BadRequest("Malformed chunk size")
            if size == 0:
                while self._read_line():  # trailers, up to the empty line
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                raise BadRequest("Request body too large", 413)
            parts.append(self._read_exact(size, False))
            if self._read_line():
                raise BadRequest("Malformed chunked body")


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
