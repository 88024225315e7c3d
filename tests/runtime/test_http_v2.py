"""Payload format 2.0 (HTTP APIs, function URLs) through ``Chalice.__call__``.

Every test starts from a real event in tests/events/apigw-http or
tests/events/function-url, re-targeted where needed.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from chalice import (
    BadRequestError,
    Chalice,
    NotFoundError,
    Response,
)
from chalice.app._http_v2 import (
    HttpV2Request,
    RouteMatcher,
    parse_query_string,
    rest_style_context,
    to_v2_result,
)
from tests.runtime.conftest import body_of, load_event, rest_event

HTTP_EVENTS = [
    "apigw-http/dotnet-cookies-get-multiple-httpapi-v2-request.json",
    "apigw-http/dotnet-encode-space-in-resource-path-httpapi-v2.json",
    "apigw-http/dotnet-values-get-querystring-httpapi-v2-mv-request.json",
    "apigw-http/go-apigw-v2-request-no-authorizer.json",
    "apigw-http/powertools-apiGatewayProxyV2Event.json",
    "apigw-http/powertools-apiGatewayProxyV2IamEvent.json",
    "apigw-http/powertools-apiGatewayProxyV2LambdaAuthorizerEvent.json",
    "apigw-http/sam-HttpApi.json",
    "function-url/go-lambda-urls-request.json",
    "function-url/powertools-example-getting_started_lambda_function_url_resolver.json",
    "function-url/powertools-lambdaFunctionUrlEvent.json",
    "function-url/powertools-lambdaFunctionUrlIAMEvent.json",
]


def make_app() -> Chalice:
    app = Chalice(app_name="v2")

    @app.route("/{proxy+}", methods=["GET", "POST"])
    def catch_all() -> Any:
        return describe(app)

    @app.route("/", methods=["GET"])
    def index() -> Any:
        return describe(app)

    @app.route("/my/path", methods=["GET", "POST"])
    def my_path() -> Any:
        return describe(app)

    @app.route("/users/{user_id}", methods=["GET"])
    def user(user_id: str) -> Any:
        return {"user": user_id, "path": app.current_request.path}

    @app.route("/users/me", methods=["GET"])
    def me() -> Any:
        return {"me": True}

    @app.route("/cookies", methods=["GET"])
    def cookies() -> Response:
        return Response(
            "baked",
            headers={
                "Content-Type": "text/plain",
                "Set-Cookie": ["a=1; Path=/", "b=2"],
                "X-Multi": ["x", "y"],
            },
        )

    @app.route("/one-cookie", methods=["GET"])
    def one_cookie() -> Response:
        return Response({"ok": True}, headers={"set-cookie": "solo=1"})

    @app.route("/png", methods=["GET"])
    def png() -> Response:
        return Response(b"\x89PNG", headers={"Content-Type": "image/png"})

    @app.route("/bad", methods=["GET"])
    def bad() -> Any:
        raise BadRequestError("nope")

    @app.route("/missing", methods=["GET"])
    def missing() -> Any:
        raise NotFoundError("gone")

    @app.route("/boom", methods=["GET"])
    def boom() -> Any:
        raise RuntimeError("boom")

    @app.route("/json", methods=["POST"], content_types=["application/json"])
    def json_only() -> Any:
        return {"got": app.current_request.json_body}

    return app


def describe(app: Chalice) -> dict[str, Any]:
    request = app.current_request
    assert isinstance(request, HttpV2Request)
    query = request.query_params
    return {
        "method": request.method,
        "path": request.path,
        "raw_path": request.raw_path,
        "uri_params": request.uri_params,
        "query": None if query is None else {k: query.getlist(k) for k in query},
        "cookie": request.headers.get("cookie"),
        "raw_body": request.raw_body.decode("utf-8", "replace"),
        "stage_vars": request.stage_vars,
        "authorizer": request.context.get("authorizer"),
        "identity": request.context["identity"],
    }


def v2_event(
    method: str = "GET",
    raw_path: str = "/",
    *,
    route_key: str = "$default",
    query: str = "",
    headers: dict[str, str] | None = None,
    body: str | None = None,
    base64_body: bool = False,
    cookies: list[str] | None = None,
) -> dict[str, Any]:
    """The Go sample HTTP API event re-targeted at ``method raw_path``."""
    event = load_event("apigw-http/go-apigw-v2-request-no-authorizer.json")
    event["routeKey"] = route_key
    event["requestContext"]["routeKey"] = route_key
    event["rawPath"] = raw_path
    event["requestContext"]["http"]["path"] = raw_path
    event["requestContext"]["http"]["method"] = method
    event["rawQueryString"] = query
    if headers is not None:
        event["headers"] = headers
    if body is not None:
        event["body"] = body
    event["isBase64Encoded"] = base64_body
    if cookies is not None:
        event["cookies"] = cookies
    return event


@pytest.mark.parametrize("name", HTTP_EVENTS)
def test_every_real_event_is_served(name: str) -> None:
    app = make_app()
    event = load_event(name)
    result = app(event, None)
    assert result["statusCode"] == 200, result
    assert set(result) >= {"statusCode", "headers", "body", "isBase64Encoded"}
    body = body_of(result)
    assert body["method"] == event["requestContext"]["http"]["method"]
    assert body["raw_path"] == event["rawPath"]
    assert body["identity"]["sourceIp"] == event["requestContext"]["http"]["sourceIp"]


def test_request_attributes_from_the_powertools_event() -> None:
    app = make_app()
    body = body_of(app(load_event("apigw-http/powertools-apiGatewayProxyV2Event.json"), None))
    assert body["method"] == "POST"
    assert body["path"] == "/my/path"  # $default: matched on rawPath
    assert body["query"] == {"parameter1": ["value1", "value2"], "parameter2": ["value"]}
    assert body["cookie"] == "cookie1; cookie2"
    assert body["stage_vars"] == {"stageVariable1": "value1", "stageVariable2": "value2"}
    assert json.loads(body["raw_body"]) == {"message": "hello world", "username": "tom"}
    # JWT claims where a Cognito authorizer puts them under REST, and the original.
    assert body["authorizer"]["claims"] == {"claim1": "value1", "claim2": "value2"}
    assert body["authorizer"]["scopes"] == ["scope1", "scope2"]
    assert body["authorizer"]["jwt"]["claims"]["claim1"] == "value1"


def test_route_key_selects_the_template_and_path_parameters() -> None:
    app = make_app()
    event = v2_event("GET", "/users/me", route_key="GET /users/{user_id}")
    event["pathParameters"] = {"user_id": "me"}
    # The route key wins over path matching (which would pick /users/me).
    assert body_of(app(event, None)) == {"user": "me", "path": "/users/{user_id}"}


def test_any_proxy_route_key_of_another_api_falls_back_to_matching() -> None:
    app = make_app()
    event = load_event("apigw-http/dotnet-values-get-querystring-httpapi-v2-mv-request.json")
    event["routeKey"] = "ANY /api/{proxy+}"  # a route this app does not have
    event["rawPath"] = "/users/42"
    assert body_of(app(event, None)) == {"user": "42", "path": "/users/{user_id}"}


def test_default_route_matching_prefers_literals_then_params_then_greedy() -> None:
    app = make_app()
    assert body_of(app(v2_event(raw_path="/users/me"), None)) == {"me": True}
    assert body_of(app(v2_event(raw_path="/users/7/"), None))["user"] == "7"
    deep = body_of(app(v2_event(raw_path="/a/b/c"), None))
    assert deep["path"] == "/{proxy+}"
    assert deep["uri_params"] == {"proxy": "a/b/c"}


def test_named_stage_prefix_is_stripped_for_matching() -> None:
    app = make_app()
    event = v2_event(raw_path="/prod/users/9")
    event["requestContext"]["stage"] = "prod"
    assert body_of(app(event, None))["user"] == "9"


def test_percent_encoded_path_is_decoded_for_matching() -> None:
    app = make_app()
    assert body_of(app(v2_event(raw_path="/users/a%20b"), None))["user"] == "a b"


def test_multi_value_query_string_and_encoding() -> None:
    app = make_app()
    event = v2_event(raw_path="/my/path", query="a=1&a=2&b=x+y&c=%26&d")
    body = body_of(app(event, None))
    assert body["query"] == {"a": ["1", "2"], "b": ["x y"], "c": ["&"], "d": [""]}


def test_query_params_fall_back_to_the_single_value_map() -> None:
    event = v2_event(raw_path="/my/path")
    event["rawQueryString"] = ""
    event["queryStringParameters"] = {"q": "a,b"}
    request = HttpV2Request(event)
    assert request.query_params is not None
    assert request.query_params.getlist("q") == ["a,b"]
    event.pop("queryStringParameters")
    assert HttpV2Request(event).query_params is None


def test_base64_body_is_decoded() -> None:
    app = make_app()
    body = body_of(app(load_event("apigw-http/sam-HttpApi.json") | {"rawPath": "/my/path"}, None))
    assert json.loads(body["raw_body"]) == {"test": "body"}


def test_json_body_and_content_type_check() -> None:
    app = make_app()
    event = v2_event(
        "POST", "/json", headers={"content-type": "application/json"}, body='{"a": [1]}'
    )
    assert body_of(app(event, None)) == {"got": {"a": [1]}}
    event["headers"] = {"content-type": "text/plain"}
    result = app(event, None)
    assert result["statusCode"] == 415
    event["headers"] = {"content-type": "application/json"}
    event["body"] = "{not json"
    result = app(event, None)
    assert result["statusCode"] == 400
    assert body_of(result)["Message"] == "Error Parsing JSON"


def test_cookies_and_multi_value_headers_in_the_result() -> None:
    app = make_app()
    result = app(v2_event(raw_path="/cookies"), None)
    assert result == {
        "statusCode": 200,
        "headers": {"Content-Type": "text/plain", "X-Multi": "x,y"},
        "body": "baked",
        "isBase64Encoded": False,
        "cookies": ["a=1; Path=/", "b=2"],
    }
    single = app(v2_event(raw_path="/one-cookie"), None)
    assert single["cookies"] == ["solo=1"]
    assert "set-cookie" not in single["headers"]
    assert single["headers"]["Content-Type"] == "application/json"


def test_binary_body_is_base64_without_an_accept_header() -> None:
    # REST needs Accept: image/png to decode; an HTTP API passes base64 through.
    app = make_app()
    result = app(v2_event(raw_path="/png", headers={}), None)
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == b"\x89PNG"


def test_errors_are_v2_results() -> None:
    app = make_app()
    bad = app(v2_event(raw_path="/bad"), None)
    assert (bad["statusCode"], body_of(bad)) == (
        400,
        {"Code": "BadRequestError", "Message": "nope"},
    )
    assert "multiValueHeaders" not in bad
    assert app(v2_event(raw_path="/missing"), None)["statusCode"] == 404
    boom = app(v2_event(raw_path="/boom"), None)
    assert boom["statusCode"] == 500
    assert body_of(boom)["Code"] == "InternalServerError"
    wrong = app(v2_event("DELETE", "/users/me"), None)
    assert wrong["statusCode"] == 405
    assert wrong["headers"]["Allow"] == "GET"


def test_unknown_path_is_a_404_from_the_app() -> None:
    app = Chalice(app_name="small")

    @app.route("/only")
    def only() -> Any:
        return {}

    result = app(v2_event(raw_path="/other"), None)
    assert result["statusCode"] == 404
    assert body_of(result) == {"Code": "NotFoundError", "Message": "No route for GET /other"}


def test_event_without_http_context_is_a_500() -> None:
    app = make_app()
    result = app({"version": "2.0", "rawPath": "/"}, None)
    assert result["statusCode"] == 500
    assert app.current_request is None


def test_debug_traceback_in_v2_format() -> None:
    app = make_app()
    app.debug = True
    result = app(v2_event(raw_path="/boom"), None)
    assert result["statusCode"] == 500
    assert result["headers"]["Content-Type"] == "text/plain"
    assert "RuntimeError: boom" in result["body"]


def test_middleware_sees_v2_requests() -> None:
    app = make_app()
    seen: list[tuple[str | None, int]] = []

    @app.middleware("http")
    def record(event: Any, get_response: Any) -> Any:
        response = get_response(event)
        seen.append((event.path, response.status_code))
        response.headers["X-Seen"] = "1"
        return response

    assert app(v2_event(raw_path="/users/me"), None)["headers"]["X-Seen"] == "1"
    assert seen == [("/users/me", 200)]


def test_middleware_404_for_unmatched_paths() -> None:
    app = Chalice(app_name="mw")
    statuses: list[int] = []

    @app.middleware("http")
    def record(event: Any, get_response: Any) -> Any:
        response = get_response(event)
        statuses.append(response.status_code)
        return response

    @app.route("/x")
    def x() -> Any:
        return {}

    assert app(v2_event(raw_path="/y"), None)["statusCode"] == 404
    assert statuses == [404]


def test_encoding_error_is_a_500_or_raised_for_the_test_client() -> None:
    app = Chalice(app_name="enc")

    @app.route("/obj")
    def obj() -> Any:
        return {"x": object()}

    assert app(v2_event(raw_path="/obj"), None)["statusCode"] == 500

    class Raising:
        raise_encoding_errors = True

    with pytest.raises(TypeError):
        app(v2_event(raw_path="/obj"), Raising())


def test_routes_added_after_the_first_request_are_matched() -> None:
    app = Chalice(app_name="late")

    @app.route("/first")
    def first() -> Any:
        return {"n": 1}

    assert app(v2_event(raw_path="/second"), None)["statusCode"] == 404

    @app.route("/second")
    def second() -> Any:
        return {"n": 2}

    assert body_of(app(v2_event(raw_path="/second"), None)) == {"n": 2}


def test_rest_events_still_go_to_rest_dispatch() -> None:
    app = make_app()
    result = app(rest_event("/users/{user_id}", params={"user_id": "r"}), None)
    assert "multiValueHeaders" in result
    assert body_of(result)["user"] == "r"


def test_iam_and_lambda_authorizer_context_are_surfaced_rest_style() -> None:
    iam = rest_style_context(
        load_event("apigw-http/powertools-apiGatewayProxyV2IamEvent.json"), "GET", "/x"
    )
    assert iam["identity"]["userArn"] == "arn:aws:iam::1234567890:user/Admin"
    assert iam["identity"]["caller"] == "AROA7ZJZYVRE7C3DUXHH6:CognitoIdentityCredentials"
    assert iam["identity"]["cognitoIdentityPoolId"].startswith("us-east-1:")
    assert iam["httpMethod"] == "GET"
    assert iam["resourcePath"] == "/x"
    lam = rest_style_context(
        load_event("apigw-http/powertools-apiGatewayProxyV2LambdaAuthorizerEvent.json"),
        "GET",
        "/x",
    )
    assert lam["authorizer"]["tenantId"] == "123-456-789-012"
    assert lam["authorizer"]["lambda"] == {"tenantId": "123-456-789-012"}


def test_request_to_dict_and_original_event() -> None:
    event = load_event("function-url/powertools-lambdaFunctionUrlEvent.json")
    request = HttpV2Request(event)
    request.path = "/"
    data = request.to_dict()
    assert data["method"] == "GET"
    assert data["path"] == "/"
    assert data["context"]["identity"]["sourceIp"] == "123.123.123.123"
    json.dumps(data)
    assert request.to_original_event() is event


def test_parse_query_string() -> None:
    assert parse_query_string("") == {}
    assert parse_query_string("a=1&&a=2") == {"a": ["1", "2"]}
    assert parse_query_string("k%3D=v%3D") == {"k=": ["v="]}


def test_route_matcher_greedy_needs_a_segment() -> None:
    matcher = RouteMatcher(["/files/{path+}", "/files"])
    assert matcher.match("/files") == ("/files", {})
    assert matcher.match("/files/a/b") == ("/files/{path+}", {"path": "a/b"})
    assert matcher.match("/other") is None
    assert RouteMatcher(["/a/{b}"]).match("/a/") is None


def test_to_v2_result_json_and_bytes() -> None:
    assert to_v2_result(Response({"a": 1}, status_code=201)) == {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json"},
        "body": '{"a":1}',
        "isBase64Encoded": False,
    }
    raw = to_v2_result(Response(b"\x00", headers={"Content-Type": "text/plain"}))
    assert raw["isBase64Encoded"] is True
    assert raw["body"] == "AA=="


def test_route_matcher_memo_is_bounded_and_returns_fresh_params(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import chalice.app._http_v2 as v2

    monkeypatch.setattr(v2, "_CACHE_LIMIT", 2)
    matcher = RouteMatcher(["/u/{id}"])
    first = matcher.match("/u/1")
    assert first is not None
    first[1]["id"] = "changed"
    assert matcher.match("/u/1") == ("/u/{id}", {"id": "1"})
    for n in range(5):
        matcher.match(f"/u/{n}")
    assert len(matcher._cache) <= 2
