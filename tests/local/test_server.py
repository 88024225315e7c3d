"""The local HTTP server over real sockets on 127.0.0.1, with a fake gateway."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalice.local.responses import GatewayResponse
from chalice.local.server import LocalServer, bind_socket, thread_local_app
from tests.local.serving import serve_in_thread


class EchoHandler:
    """Answers with what it received; ``/boom`` raises, ``/slow`` sleeps."""

    def __init__(self) -> None:
        self.calls = 0

    def handle_request(
        self,
        method: str,
        target: str,
        headers: Iterable[tuple[str, str]],
        body: bytes,
        *,
        source_ip: str = "127.0.0.1",
    ) -> GatewayResponse:
        self.calls += 1
        if target == "/boom":
            raise RuntimeError("kaboom")
        if target == "/slow":
            time.sleep(0.5)
        if target == "/multi":
            return GatewayResponse(
                200, {"Content-Type": "text/plain"}, {"Set-Cookie": ["a=1", "b=2"]}, b"m"
            )
        payload = {
            "method": method,
            "target": target,
            "headers": [list(h) for h in headers],
            "body": body.decode("latin-1"),
            "source_ip": source_ip,
        }
        return GatewayResponse(200, {}, {}, json.dumps(payload).encode())


@pytest.fixture
def server() -> Iterator[tuple[LocalServer, EchoHandler]]:
    handler = EchoHandler()
    srv, thread = serve_in_thread(handler, bind_socket("127.0.0.1", 0), access_log=False)
    yield srv, handler
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _raw(port: int, data: bytes, *, read_until_close: bool = True) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        chunks = []
        while read_until_close:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_keep_alive_reuses_one_connection_without_nagle_stalls(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    conn = http.client.HTTPConnection(*srv.address, timeout=5)
    conn.request("GET", "/first")
    first = conn.getresponse()
    assert first.status == 200 and first.getheader("Content-Type") == "application/json"
    assert json.loads(first.read())["target"] == "/first"
    sock = conn.sock
    started = time.perf_counter()
    for i in range(100):
        conn.request("POST", f"/n/{i}", body=b"x" * 3000, headers={"X-I": str(i)})
        response = conn.getresponse()
        data = json.loads(response.read())
        assert data["target"] == f"/n/{i}" and len(data["body"]) == 3000
    elapsed = time.perf_counter() - started
    assert conn.sock is sock  # never reconnected
    # Upstream stalled ~40 ms per request on Nagle/delayed-ACK: 4 s for 100.
    assert elapsed < 2.0
    conn.close()


def test_many_concurrent_clients(server) -> None:  # type: ignore[no-untyped-def]
    srv, handler = server

    def client(n: int) -> int:
        conn = http.client.HTTPConnection(*srv.address, timeout=10)
        for _ in range(5):
            conn.request("GET", f"/c/{n}")
            response = conn.getresponse()
            assert json.loads(response.read())["target"] == f"/c/{n}"
        conn.close()
        return n

    with ThreadPoolExecutor(max_workers=64) as pool:
        assert sorted(pool.map(client, range(64))) == list(range(64))
    assert handler.calls == 64 * 5


def test_burst_of_connections_is_not_dropped(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    # Open 128 connections before any is served: they wait in the backlog.
    socks = [socket.create_connection(srv.address, timeout=10) for _ in range(128)]
    for sock in socks:
        sock.sendall(b"GET /burst HTTP/1.1\r\nConnection: close\r\n\r\n")
    for sock in socks:
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        assert data.startswith(b"HTTP/1.1 200 OK")
        sock.close()


def test_slow_view_does_not_block_other_clients(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    slow = threading.Thread(target=_raw, args=(srv.address[1], b"GET /slow HTTP/1.0\r\n\r\n"))
    slow.start()
    time.sleep(0.02)
    started = time.perf_counter()
    assert _raw(srv.address[1], b"GET /fast HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200")
    # The slow view holds the loop only until the watchdog hands it over.
    assert time.perf_counter() - started < 0.4
    slow.join()


@pytest.mark.parametrize(
    "garbage",
    [
        b"GARBAGE\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
        b"GET / HTTP/9\r\n\r\n",
    ],
)
def test_malformed_request_gets_400_and_server_survives(server, garbage: bytes) -> None:  # type: ignore[no-untyped-def]
    srv, handler = server
    reply = _raw(srv.address[1], garbage)
    status_line = reply.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 4") or status_line.startswith(b"HTTP/1.1 505")
    assert b"Connection: close" in reply
    assert handler.calls == 0
    assert _raw(srv.address[1], b"GET /ok HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_client_disconnecting_mid_request_is_harmless(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    with socket.create_connection(srv.address) as sock:
        sock.sendall(b"POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\npartial")
    assert _raw(srv.address[1], b"GET /ok HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.1 200")


def test_pipelined_requests_answered_in_order(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    reply = _raw(
        srv.address[1],
        b"GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\nConnection: close\r\n\r\n",
    )
    assert reply.count(b"HTTP/1.1 200 OK") == 3
    assert reply.index(b'"/1"') < reply.index(b'"/2"') < reply.index(b'"/3"')


def test_expect_100_continue(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    with socket.create_connection(srv.address, timeout=5) as sock:
        sock.sendall(
            b"PUT /up HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n"
            b"Connection: close\r\n\r\n"
        )
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"data")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    assert b'"body": "data"' in reply


def test_head_has_length_but_no_body_and_multi_value_headers(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    reply = _raw(srv.address[1], b"HEAD /x HTTP/1.1\r\nConnection: close\r\n\r\n")
    head, _, body = reply.partition(b"\r\n\r\n")
    assert b"Content-Length: " in head and body == b""
    reply = _raw(srv.address[1], b"GET /multi HTTP/1.0\r\n\r\n")
    assert reply.count(b"Set-Cookie: ") == 2 and b"Content-Type: text/plain" in reply


def test_handler_exception_is_a_502_not_a_crash(server) -> None:  # type: ignore[no-untyped-def]
    srv, _ = server
    conn = http.client.HTTPConnection(*srv.address, timeout=5)
    conn.request("GET", "/boom")
    response = conn.getresponse()
    assert response.status == 502
    assert json.loads(response.read()) == {"message": "Internal server error"}
    conn.request("GET", "/after")
    assert conn.getresponse().status == 200


def test_bind_socket_reports_port_in_use() -> None:
    first = bind_socket("127.0.0.1", 0)
    try:
        with pytest.raises(OSError):
            bind_socket("127.0.0.1", first.getsockname()[1])
    finally:
        first.close()


def test_thread_local_current_request() -> None:
    class App:
        def __init__(self) -> None:
            self.current_request = "main"
            self.name = "app"

    app = thread_local_app(App())
    assert thread_local_app(app) is app and isinstance(app, App)
    app.current_request = "main"
    seen = {}

    def worker() -> None:
        assert app.current_request is None
        app.current_request = "worker"
        seen["worker"] = app.current_request

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert seen == {"worker": "worker"} and app.current_request == "main" and app.name == "app"
