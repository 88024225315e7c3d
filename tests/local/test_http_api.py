"""``chalice local`` and ``chalice.test.Client`` for a stage served as an HTTP API.

With ``"api_gateway_type": "HTTP"`` the gateway sends payload format 2.0
events (and 2.0 authorizer events) and answers with an HTTP API's own error
bodies; these tests drive the sample app of tests/local/conftest.py that way.
"""

from __future__ import annotations

import base64
import http.client
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chalice import AuthResponse, Chalice, Response
from chalice.local.gateway import LambdaResultError, LocalGateway
from chalice.local.httpapi import (
    ApiGatewayType,
    AuthorizerFormat,
    api_gateway_type,
    authorizer_format_problem,
    build_event,
    result_to_response,
)
from chalice.local.server import LocalServer, bind_socket, thread_local_app
from chalice.local.settings import DefaultSettings
from chalice.test import Client
from tests.local.conftest import make_jwt
from tests.local.serving import serve_in_thread


def add_v2_routes(app: Chalice) -> Chalice:
    @app.route("/v2/{name}", methods=["GET", "POST"], content_types=["*/*"])
    def v2_echo(name: str) -> dict[str, Any]:
        request = app.current_request
        query = request.query_params
        return {
            "name": name,
            "event": request.to_original_event(),
            "query": None if query is None else {k: query.getlist(k) for k in query},
            "cookie": request.headers.get("cookie"),
            "raw": base64.b64encode(request.raw_body).decode(),
            "authorizer": request.context.get("authorizer"),
        }

    @app.authorizer(simple_responses=True)
    def simple_auth(auth_request: Any) -> Any:
        if auth_request.token == "yes":
            return {"isAuthorized": True, "context": {"tenant": "t1"}}
        if auth_request.token == "bool":
            return True
        if auth_request.token == "garbage":
            return "not a response"
        if auth_request.token == "policy":
            return AuthResponse(routes=["*"], principal_id="p")
        if auth_request.token == "string-flag":
            return {"isAuthorized": "true"}
        return {"isAuthorized": False}

    @app.authorizer()
    def policy_only(auth_request: Any) -> Any:
        # Not deployed with simple responses: this answer is a 500 on AWS.
        return {"isAuthorized": True}

    @app.route("/policy-only", authorizer=policy_only)
    def guarded() -> dict[str, Any]:
        return {}

    @app.route("/simple", authorizer=simple_auth)
    def simple() -> dict[str, Any]:
        return {"authorizer": app.current_request.context.get("authorizer")}

    return app


@pytest.fixture
def client(app: Chalice) -> Client:
    return Client(add_v2_routes(app), api_gateway_type="HTTP")


def test_views_get_payload_format_2_events(client: Client) -> None:
    response = client.http.post(
        "/v2/bob?x=1&x=2&y=",
        headers={"Cookie": "s=1; t=2", "X-Thing": "a", "Content-Type": "text/plain"},
        body="hello",
    )
    assert response.status_code == 200
    body = response.json_body
    event = body["event"]
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v2/{name}"
    assert event["rawPath"] == "/v2/bob"
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["cookies"] == ["s=1", "t=2"]
    assert "cookie" not in event["headers"]
    assert event["headers"]["x-thing"] == "a"
    assert event["pathParameters"] == {"name": "bob"}
    assert event["requestContext"]["http"]["method"] == "POST"
    assert event["requestContext"]["http"]["sourceIp"] == "127.0.0.1"
    assert event["requestContext"]["stage"] == "$default"
    assert event["isBase64Encoded"] is False
    assert body["name"] == "bob"
    assert body["query"] == {"x": ["1", "2"], "y": [""]}
    assert body["cookie"] == "s=1; t=2"
    assert base64.b64decode(body["raw"]) == b"hello"


def test_repeated_headers_are_joined_with_commas(app: Chalice) -> None:
    gateway = LocalGateway(add_v2_routes(app), DefaultSettings(), api_gateway_type="HTTP")
    result = gateway.invoke("GET", "/v2/x", [("X-A", "1"), ("x-a", "2")], b"")
    event = json.loads(result["body"])["event"]
    assert event["headers"]["x-a"] == "1,2"


def test_binary_bodies_round_trip(client: Client) -> None:
    data = bytes(range(256))
    response = client.http.post(
        "/upload", headers={"Content-Type": "application/octet-stream"}, body=data
    )
    assert response.status_code == 201
    assert response.body == data[::-1]  # no Accept header needed on an HTTP API
    echoed = client.http.post("/v2/b", headers={"Content-Type": "image/png"}, body=b"\xff\x00")
    assert echoed.json_body["event"]["isBase64Encoded"] is True
    assert base64.b64decode(echoed.json_body["raw"]) == b"\xff\x00"


def test_set_cookie_from_cookies(client: Client) -> None:
    response = client.http.get("/cookies")
    assert response.status_code == 200
    assert response.headers["Set-Cookie"] == ["a=1", "b=2"]


def test_unknown_path_is_the_http_api_404(client: Client) -> None:
    response = client.http.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json_body == {"message": "Not Found"}
    assert "x-amzn-ErrorType" not in response.headers


def test_known_path_with_an_undeclared_method_is_the_http_api_404(client: Client) -> None:
    # One route per method and no $default route: API Gateway matches no
    # route and answers by itself; the function (and its 405) is never run.
    response = client.http.delete("/users/me")
    assert (response.status_code, response.json_body) == (404, {"message": "Not Found"})
    assert "Allow" not in response.headers
    assert "apigw-requestid" in response.headers


def test_options_without_cors_is_a_404_and_reaches_nothing(app: Chalice) -> None:
    calls: list[str] = []

    @app.route("/plain", methods=["GET"])
    def plain() -> dict[str, Any]:
        calls.append("plain")
        return {}

    client = Client(app, api_gateway_type="HTTP")
    assert client.http.options("/plain").status_code == 404
    assert client.http.get("/plain").status_code == 200
    assert calls == ["plain"]


def test_a_method_added_after_the_first_request_is_routed(app: Chalice) -> None:
    @app.route("/late", methods=["GET"])
    def late_get() -> dict[str, Any]:
        return {"m": "GET"}

    client = Client(app, api_gateway_type="HTTP")
    assert client.http.put("/late").status_code == 404

    @app.route("/late", methods=["PUT"])
    def late_put() -> dict[str, Any]:
        return {"m": "PUT"}

    assert client.http.put("/late").json_body == {"m": "PUT"}


def test_rest_stage_still_lets_the_app_answer_405(app: Chalice) -> None:
    response = Client(app).http.delete("/users/me")
    assert response.status_code == 405


def test_errors_and_preflight(client: Client) -> None:
    assert client.http.get("/boom").status_code == 500
    preflight = client.http.options("/cors")
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://x.dev"


def test_builtin_authorizer_with_an_iam_policy(client: Client) -> None:
    allowed = client.http.get("/secret/a", headers={"Authorization": "allow"})
    assert allowed.status_code == 200
    auth = allowed.json_body["auth"]
    # Both the 2.0 shape and REST's keys.
    assert auth["lambda"] == {"team": "blue"}
    assert auth["team"] == "blue"
    assert auth["principalId"] == "alice"
    partial = client.http.get("/secret/a", headers={"Authorization": "only-get-items"})
    assert partial.status_code == 200
    denied = client.http.delete("/secret/a", headers={"Authorization": "only-get-items"})
    assert (denied.status_code, denied.json_body) == (403, {"message": "Forbidden"})
    missing = client.http.get("/secret/a")
    assert (missing.status_code, missing.json_body) == (401, {"message": "Unauthorized"})
    nothing = client.http.get("/secret/a", headers={"Authorization": "none"})
    assert (nothing.status_code, nothing.json_body) == (500, {"message": "Internal Server Error"})


def test_builtin_authorizer_with_a_simple_response(client: Client) -> None:
    allowed = client.http.get("/simple", headers={"Authorization": "yes"})
    assert allowed.status_code == 200
    assert allowed.json_body["authorizer"]["tenant"] == "t1"
    assert allowed.json_body["authorizer"]["lambda"] == {"tenant": "t1"}
    assert client.http.get("/simple", headers={"Authorization": "no"}).status_code == 403
    assert client.http.get("/simple", headers={"Authorization": "bool"}).status_code == 200
    assert client.http.get("/simple", headers={"Authorization": "garbage"}).status_code == 500


@pytest.mark.parametrize("token", ["policy", "string-flag"])
def test_simple_responses_authorizer_answering_otherwise_is_a_500(
    client: Client, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    # EnableSimpleResponses: API Gateway reads a boolean isAuthorized and
    # nothing else; an IAM policy is an authorizer error.
    response = client.http.get("/simple", headers={"Authorization": token})
    assert (response.status_code, response.json_body) == (
        500,
        {"message": "Internal Server Error"},
    )
    assert "simple_auth" in caplog.text


def test_policy_authorizer_answering_a_simple_response_is_a_500(
    client: Client, caplog: pytest.LogCaptureFixture
) -> None:
    response = client.http.get("/policy-only", headers={"Authorization": "x"})
    assert response.status_code == 500
    assert "simple_responses=True" in caplog.text


def test_authorizer_format_problem() -> None:
    simple, policy = AuthorizerFormat.SIMPLE, AuthorizerFormat.IAM_POLICY
    doc = {"principalId": "p", "policyDocument": {"Statement": []}}
    assert authorizer_format_problem({"isAuthorized": False}, simple) is None
    assert authorizer_format_problem(doc, policy) is None
    assert "IAM policy" in (authorizer_format_problem(doc, simple) or "")
    assert "simple response" in (authorizer_format_problem({"isAuthorized": True}, policy) or "")
    assert "not a JSON object" in (authorizer_format_problem(None, policy) or "")
    assert "isAuthorized" in (authorizer_format_problem({}, simple) or "")
    assert "policyDocument" in (authorizer_format_problem({}, policy) or "")


def test_authorizer_with_a_custom_header(client: Client) -> None:
    response = client.http.get("/custom-header", headers={"X-Api-Token": "tok"})
    assert response.status_code == 200
    assert response.json_body["auth"]["principalId"] == "tok"


def test_cognito_claims_arrive_as_jwt(client: Client) -> None:
    token = make_jwt({"sub": "1", "cognito:username": "ann", "scope": "read write"})
    response = client.http.get("/cognito", headers={"Authorization": token})
    auth = response.json_body["auth"]
    assert auth["jwt"]["claims"]["cognito:username"] == "ann"
    assert auth["jwt"]["scopes"] == ["read", "write"]
    assert auth["claims"]["sub"] == "1"  # where REST views read them
    assert client.http.get("/cognito").status_code == 200  # not verified locally


def test_iam_authorizer_is_let_through(client: Client) -> None:
    assert client.http.get("/iam").status_code == 200


def test_stage_config_selects_http(app: Chalice, tmp_path: Path) -> None:
    config = {
        "version": "2.0",
        "app_name": "localtest",
        "stages": {"dev": {"api_gateway_type": "HTTP"}, "prod": {}},
    }
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    with Client(app, project_dir=str(tmp_path)) as client:
        assert client.http.get("/nope").json_body == {"message": "Not Found"}
    with Client(app, stage_name="prod", project_dir=str(tmp_path)) as client:
        assert client.http.get("/nope").status_code == 403  # REST's answer


class _Settings(DefaultSettings):
    def __init__(self, **values: Any) -> None:
        super().__init__()
        for key, value in values.items():
            setattr(self, key, value)


def test_api_gateway_type_sources() -> None:
    assert api_gateway_type(DefaultSettings()) is ApiGatewayType.REST
    assert api_gateway_type(_Settings(api_gateway_type="HTTP")) is ApiGatewayType.HTTP
    assert api_gateway_type(_Settings(api_gateway_type="http")) is ApiGatewayType.HTTP
    assert api_gateway_type(_Settings(lookup=lambda key: "HTTP")) is ApiGatewayType.HTTP

    def unknown(key: str) -> Any:
        raise KeyError(key)

    top = _Settings(lookup=unknown, raw=lambda: {"api_gateway_type": "HTTP"}, stage="dev")
    assert api_gateway_type(top) is ApiGatewayType.HTTP
    staged = _Settings(
        raw=lambda: {"api_gateway_type": "HTTP", "stages": {"dev": {"api_gateway_type": "REST"}}},
        stage="dev",
    )
    assert api_gateway_type(staged) is ApiGatewayType.REST


def test_gateway_reports_its_type(app: Chalice) -> None:
    assert LocalGateway(app, DefaultSettings()).api_gateway_type == "REST"
    http_settings = _Settings(api_gateway_type="HTTP")
    assert LocalGateway(app, http_settings).api_gateway_type == "HTTP"
    assert LocalGateway(app, http_settings, api_gateway_type="REST").api_gateway_type == "REST"


def test_result_conversion() -> None:
    full = result_to_response(
        {
            "statusCode": 201,
            "headers": {"X": "1"},
            "cookies": ["a=1"],
            "body": base64.b64encode(b"\x00").decode(),
            "isBase64Encoded": True,
        }
    )
    assert full == (201, {"X": "1"}, {"Set-Cookie": ["a=1"]}, b"\x00")
    # HTTP APIs infer a 200 JSON response from any other value.
    inferred = result_to_response({"hello": "world"})
    assert (inferred.status_code, json.loads(inferred.body)) == (200, {"hello": "world"})
    assert result_to_response({"statusCode": 204}).body == b""
    with pytest.raises(ValueError, match="statusCode"):
        result_to_response({"statusCode": "x"})
    with pytest.raises(ValueError, match="base64"):
        result_to_response({"statusCode": 200, "body": "abc", "isBase64Encoded": True})


def test_bad_result_is_a_lambda_result_error() -> None:
    class Broken(Chalice):
        def __call__(self, event: Any, context: Any) -> Any:
            return {"statusCode": "nope"}

    app = Broken(app_name="bad")

    @app.route("/")
    def index() -> Response:
        return Response("x")

    gateway = LocalGateway(app, DefaultSettings(), api_gateway_type="HTTP")
    with pytest.raises(LambdaResultError):
        gateway.handle_request("GET", "/", {}, b"")


def test_build_event_for_a_non_utf8_text_body() -> None:
    event = build_event(
        method="PUT",
        path="/x",
        query="",
        headers={"content-type": ["text/plain"]},
        body=b"\xff",
        binary=False,
        route_key="$default",
        path_params=None,
        stage="$default",
        source_ip="127.0.0.1",
        now=0.0,
    )
    assert event["isBase64Encoded"] is True
    assert "queryStringParameters" not in event
    assert event["requestContext"]["time"] == "01/Jan/1970:00:00:00 +0000"


def test_generate_http_api_event_feeds_the_app(app: Chalice) -> None:
    client = Client(add_v2_routes(app))
    event = client.events.generate_http_api_event(
        "post",
        "/v2/zed",
        query_string="?a=1&a=2",
        headers={"Cookie": "c=1", "Content-Type": "application/octet-stream"},
        body=b"\x01\x02",
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "$default"
    assert event["cookies"] == ["c=1"]
    assert event["isBase64Encoded"] is True
    result = app(event, None)
    assert result["statusCode"] == 200
    body = json.loads(result["body"])
    assert body["name"] == "zed"
    assert body["query"] == {"a": ["1", "2"]}
    assert base64.b64decode(body["raw"]) == b"\x01\x02"
    keyed = client.events.generate_http_api_event(
        "GET", "/v2/k", route_key="GET /v2/{name}", path_parameters={"name": "k"}, body="t"
    )
    assert keyed["pathParameters"] == {"name": "k"}
    assert keyed["body"] == "t" and keyed["isBase64Encoded"] is False
    assert json.loads(app(keyed, None)["body"])["name"] == "k"


@pytest.fixture
def http_server(app: Chalice) -> Iterator[LocalServer]:
    settings = _Settings(api_gateway_type="HTTP")
    gateway = LocalGateway(thread_local_app(add_v2_routes(app)), settings)
    srv, thread = serve_in_thread(gateway, bind_socket("127.0.0.1", 0), access_log=False)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def _fetch(
    srv: LocalServer, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(*srv.address, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def test_chalice_local_serves_http_api_semantics(http_server: LocalServer) -> None:
    status, headers, _ = _fetch(http_server, "GET", "/cookies")
    assert status == 200 and headers.get_all("Set-Cookie") == ["a=1", "b=2"]
    status, _, body = _fetch(http_server, "GET", "/v2/n?q=1", headers={"Cookie": "k=v"})
    event = json.loads(body)["event"]
    assert (status, event["version"], event["cookies"]) == (200, "2.0", ["k=v"])
    status, _, body = _fetch(http_server, "GET", "/missing")
    assert (status, json.loads(body)) == (404, {"message": "Not Found"})
