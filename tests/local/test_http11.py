"""The HTTP/1.1 parser and encoder used by the local server."""

from __future__ import annotations

import pytest

from chalice.local.http11 import BadRequest, Request, RequestParser, encode_response


class Feeder:
    """Feeds chunks one at a time until a request parses, like the server does."""

    def __init__(self, *chunks: bytes) -> None:
        self.parser = RequestParser()
        self.chunks = list(chunks)
        self.continues = 0

    def read_request(self) -> Request | None:
        while True:
            request = self.parser.next_request()
            if self.parser.wants_continue:
                self.parser.wants_continue = False
                self.continues += 1
            if request is not None:
                return request
            if not self.chunks:
                if self.parser.pending:
                    raise BadRequest("incomplete")
                return None
            self.parser.feed(self.chunks.pop(0))


def reader(*chunks: bytes) -> tuple[Feeder, None]:
    return Feeder(*chunks), None


def test_pipelined_requests_with_bodies_split_across_reads() -> None:
    r, _ = reader(
        b"POST /a?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhel",
        b"loGET /b HTTP/1.1\r\nX-One: 1\r\nx-one: 2\r\n\r\n",
    )
    first = r.read_request()
    assert first is not None
    assert (first.method, first.target, first.body, first.keep_alive) == (
        "POST", "/a?x=1", b"hello", True,
    )  # fmt: skip
    second = r.read_request()
    assert second is not None
    assert second.headers == [("X-One", "1"), ("x-one", "2")]
    assert r.read_request() is None


def test_http10_closes_unless_keep_alive_and_connection_close() -> None:
    r, _ = reader(
        b"GET / HTTP/1.0\r\n\r\n"
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
        b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    assert [r.read_request().keep_alive for _ in range(3)] == [False, True, False]  # type: ignore[union-attr]


def test_chunked_body_and_expect_continue() -> None:
    r, _ = reader(
        b"PUT /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
        b"4\r\nWiki\r\n5;ext=1\r\npe",
        b"dia\r\n0\r\nTrailer: x\r\n\r\n",
    )
    request = r.read_request()
    assert request is not None and request.body == b"Wikipedia"
    assert r.continues == 1


def test_byte_by_byte_delivery() -> None:
    raw = b"POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
    r, _ = reader(*[raw[i : i + 1] for i in range(len(raw))])
    request = r.read_request()
    assert request is not None and request.body == b"abc"


def test_bare_lf_line_endings_are_accepted() -> None:
    r, _ = reader(b"GET /x HTTP/1.1\nHost: h\n\n")
    request = r.read_request()
    assert request is not None and request.headers == [("Host", "h")]


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET /\r\n\r\n", 400),
        (b"GET / HTTP/2.0\r\n\r\n", 505),
        (b"G(T / HTTP/1.1\r\n\r\n", 400),
        (b"GET nopath HTTP/1.1\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nNo colon here\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nBad Name: x\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: \xb2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400),
        (b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        (b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nshort", 400),
        (b"GET / HTTP/1.1\r\nX: " + b"a" * 70000, 431),
    ],
)
def test_malformed_requests(raw: bytes, status: int) -> None:
    r, _ = reader(raw)
    with pytest.raises(BadRequest) as info:
        r.read_request()
    assert info.value.status == status


def test_absolute_form_target() -> None:
    r, _ = reader(b"GET http://example.com:8000/a/b?c=d HTTP/1.1\r\n\r\n")
    request = r.read_request()
    assert request is not None and request.target == "/a/b?c=d"


def test_encode_response_defaults_and_framing() -> None:
    raw = encode_response(
        200,
        [("X-A", "1"), ("Content-Length", "999"), ("X-Bad", "a\r\nInjected: yes")],
        b'{"a":1}',
        keep_alive=True,
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert "Content-Type: application/json" in lines
    assert "Content-Length: 7" in lines
    assert "Content-Length: 999" not in lines
    assert not any(line.startswith("Injected") for line in lines)
    assert not any(line.startswith("Connection") for line in lines)
    assert body == b'{"a":1}'


def test_encode_response_head_and_close() -> None:
    raw = encode_response(
        404, [("content-type", "text/plain")], b"nope", keep_alive=False, head_only=True
    )
    assert raw.endswith(b"\r\n\r\n")
    text = raw.decode()
    assert "Content-Length: 4" in text and "Connection: close" in text
    assert "application/json" not in text
