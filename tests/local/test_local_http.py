"""The sample app served over real HTTP on 127.0.0.1 (gateway + server together)."""

from __future__ import annotations

import http.client
import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from chalice import Chalice
from chalice.local.gateway import LocalGateway
from chalice.local.server import LocalServer, bind_socket, thread_local_app
from chalice.local.settings import DefaultSettings
from tests.local.serving import serve_in_thread


@pytest.fixture
def server(app: Chalice) -> Iterator[LocalServer]:
    gateway = LocalGateway(thread_local_app(app), DefaultSettings())
    srv, thread = serve_in_thread(gateway, bind_socket("127.0.0.1", 0), access_log=False)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def fetch(
    srv: LocalServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(*srv.address, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_json_route_with_default_content_type(server: LocalServer) -> None:
    status, headers, body = fetch(server, "GET", "/users/42?x=1")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert int(headers["Content-Length"]) == len(body)
    assert json.loads(body)["user_id"] == "42"


def test_unknown_route_403(server: LocalServer) -> None:
    status, headers, body = fetch(server, "GET", "/missing/thing")
    assert status == 403
    assert headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert json.loads(body) == {"message": "Missing Authentication Token"}


def test_unserializable_result_is_a_500_over_http(server: LocalServer) -> None:
    # chalice local behaves like the deployed function (a logged 500), not
    # like the test client (which raises the TypeError into the test).
    status, _, body = fetch(server, "GET", "/unserializable")
    assert status == 500
    assert json.loads(body)["Code"] == "InternalServerError"


def test_cors_preflight_over_http(server: LocalServer) -> None:
    status, headers, body = fetch(server, "OPTIONS", "/cors")
    assert status == 200 and body == b"" and headers["Content-Length"] == "0"
    assert headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert headers["Access-Control-Allow-Origin"] == "https://x.dev"


def test_binary_round_trip_over_http(server: LocalServer) -> None:
    payload = bytes(range(256)) * 4
    status, headers, body = fetch(
        server,
        "POST",
        "/upload",
        body=payload,
        headers={"content-type": "application/octet-stream", "accept": "application/octet-stream"},
    )
    assert status == 201 and headers["Content-Type"] == "application/octet-stream"
    assert body == payload[::-1]


def test_non_utf8_body_for_a_text_type_is_kept_intact(server: LocalServer) -> None:
    status, _, body = fetch(
        server, "POST", "/echo", body=b"\xff\xfe", headers={"Content-Type": "application/json"}
    )
    data = json.loads(body)
    assert status == 200 and data["raw"] == "\xff\xfe" and data["base64"] is True


def test_authorizer_over_http(server: LocalServer) -> None:
    assert fetch(server, "GET", "/secret/a")[0] == 401
    assert fetch(server, "GET", "/secret/a", headers={"Authorization": "no"})[0] == 403
    status, _, body = fetch(server, "GET", "/secret/a", headers={"Authorization": "allow"})
    assert status == 200 and json.loads(body)["auth"]["principalId"] == "alice"


def test_repeated_set_cookie_headers(server: LocalServer) -> None:
    status, headers, _ = fetch(server, "GET", "/cookies")
    assert status == 200 and headers.get_all("Set-Cookie") == ["a=1", "b=2"]


def test_blocking_views_run_concurrently_with_their_own_request(server: LocalServer) -> None:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda n: fetch(server, "GET", f"/slow/{n}"), range(8)))
    elapsed = time.perf_counter() - started
    for n, (status, _, body) in enumerate(results):
        assert status == 200 and json.loads(body) == {"n": str(n), "seen": str(n)}
    # Eight 200 ms views: serial would take 1.6 s.
    assert elapsed < 1.2
    # And the loop still answers quickly afterwards.
    assert fetch(server, "GET", "/")[0] == 200


def test_keep_alive_with_the_real_app(server: LocalServer) -> None:
    conn = http.client.HTTPConnection(*server.address, timeout=10)
    started = time.perf_counter()
    for i in range(200):
        conn.request("GET", f"/users/{i}")
        response = conn.getresponse()
        assert json.loads(response.read())["user_id"] == str(i)
    assert time.perf_counter() - started < 2.0
    conn.close()
