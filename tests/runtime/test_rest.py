"""REST dispatch: Chalice.__call__ with real API Gateway proxy events."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chalice import (
    BadRequestError,
    Chalice,
    ChaliceUnhandledError,
    CORSConfig,
    NotFoundError,
    Response,
)
from tests.runtime.conftest import body_of, load_event, rest_event


@pytest.fixture
def app() -> Chalice:
    app = Chalice("rest-test", configure_logs=False)

    @app.route("/")
    def index() -> dict[str, str]:
        return {"hello": "world"}

    @app.route("/items/{item_id}", methods=["GET", "PUT"])
    def item(item_id: str) -> Any:
        if item_id == "missing":
            raise NotFoundError(f"no item {item_id}")
        request = app.current_request
        assert request is not None
        return {"id": item_id, "method": request.method, "json": request.json_body}

    @app.route("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    @app.route("/unhandled")
    def unhandled() -> None:
        raise ChaliceUnhandledError("let it through")

    @app.route("/badheader")
    def badheader() -> Response:
        return Response("x", headers={"X-Bad": "a\nb"})

    @app.route("/notjson")
    def notjson() -> Any:
        return {"x": object()}

    @app.route("/upload", methods=["POST"], content_types=["application/octet-stream"])
    def upload() -> Response:
        request = app.current_request
        assert request is not None
        return Response(request.raw_body, headers={"Content-Type": "application/octet-stream"})

    @app.route("/png")
    def png() -> Response:
        return Response(b"\x89PNG", headers={"Content-Type": "image/png"})

    @app.route("/cors", methods=["GET"], cors=CORSConfig(allow_origin="https://x", max_age=60))
    def cors() -> Response:
        return Response("ok", headers={"Access-Control-Allow-Origin": "https://mine"})

    return app


def call(app: Chalice, event: dict[str, Any]) -> dict[str, Any]:
    result = app(event, None)
    json.dumps(result)  # always a valid proxy result
    return result


def test_simple_get(app: Chalice) -> None:
    result = call(app, rest_event("/"))
    assert result["statusCode"] == 200
    assert body_of(result) == {"hello": "world"}
    assert app.current_request is not None and app.current_request.path == "/"


def test_uri_params_become_kwargs(app: Chalice) -> None:
    event = rest_event(
        "/items/{item_id}",
        "PUT",
        params={"item_id": "42"},
        headers={"Content-Type": "application/json"},
        body='{"a": 1}',
    )
    assert body_of(call(app, event)) == {"id": "42", "method": "PUT", "json": {"a": 1}}


def test_unicode_base64_body(app: Chalice) -> None:
    event = load_event("apigw-rest/sam-AwsProxy-put-unicode-body.json")
    event["requestContext"]["resourcePath"] = "/items/{item_id}"
    event["pathParameters"] = {"item_id": "42"}
    event["headers"]["Content-Type"] = "application/json"
    body = body_of(call(app, event))
    assert body["json"]["name"] == "Zoë Ångström"


def test_view_error(app: Chalice) -> None:
    result = call(app, rest_event("/items/{item_id}", params={"item_id": "missing"}))
    assert result["statusCode"] == 404
    assert body_of(result) == {"Code": "NotFoundError", "Message": "no item missing"}


def test_custom_error_subclass_uses_its_name() -> None:
    class TeapotError(BadRequestError):
        STATUS_CODE = 418

    app = Chalice("x", configure_logs=False)

    @app.route("/")
    def index() -> None:
        raise TeapotError("short and stout")

    result = call(app, rest_event("/"))
    assert result["statusCode"] == 418
    assert body_of(result) == {"Code": "TeapotError", "Message": "short and stout"}


def test_method_not_allowed(app: Chalice) -> None:
    result = call(app, rest_event("/items/{item_id}", "DELETE", params={"item_id": "1"}))
    assert result["statusCode"] == 405
    assert result["headers"]["Allow"] == "GET, PUT"
    assert body_of(result) == {
        "Code": "MethodNotAllowedError",
        "Message": "Unsupported method: DELETE",
    }


def test_unknown_path_is_405_and_does_not_touch_routes(app: Chalice) -> None:
    before = set(app.routes)
    result = call(app, rest_event("/nowhere"))
    assert result["statusCode"] == 405
    assert result["headers"]["Allow"] == ""
    assert set(app.routes) == before


def test_no_resource_path_is_unknown_request(app: Chalice) -> None:
    event = rest_event("/")
    del event["requestContext"]["resourcePath"]
    del event["resource"]
    result = call(app, event)
    assert result["statusCode"] == 500
    assert body_of(result) == {"Code": "InternalServerError", "Message": "Unknown request."}
    assert app.current_request is None
    assert body_of(call(app, {}))["Message"] == "Unknown request."


def test_top_level_resource_is_used_when_request_context_lacks_it(app: Chalice) -> None:
    event = load_event("apigw-rest/powertools-apiGatewayProxyEventPrincipalId.json")
    app.route(event["resource"], methods=[event["httpMethod"]])(lambda: {"ok": True})
    assert body_of(call(app, event)) == {"ok": True}


def test_unsupported_media_type(app: Chalice) -> None:
    event = rest_event("/upload", "POST", headers={"Content-Type": "text/plain"}, body="x")
    result = call(app, event)
    assert result["statusCode"] == 415
    assert body_of(result) == {
        "Code": "UnsupportedMediaType",
        "Message": "Unsupported media type: text/plain",
    }


def test_default_content_type_is_json(app: Chalice) -> None:
    result = call(app, rest_event("/", headers={}))
    assert result["statusCode"] == 200


def test_binary_round_trip(app: Chalice) -> None:
    event = rest_event(
        "/upload",
        "POST",
        headers={"Content-Type": "application/octet-stream", "Accept": "application/octet-stream"},
        body=base64.b64encode(b"\x00\x01\xff").decode(),
        base64=True,
    )
    result = call(app, event)
    assert result["statusCode"] == 200
    assert result["isBase64Encoded"] is True
    assert base64.b64decode(result["body"]) == b"\x00\x01\xff"


def test_binary_response_needs_matching_accept(app: Chalice) -> None:
    result = call(app, rest_event("/png", headers={"Accept": "text/html"}))
    assert result["statusCode"] == 400
    assert body_of(result)["Code"] == "BadRequest"
    assert "image/png" in body_of(result)["Message"]
    ok = call(app, rest_event("/png", headers={"Accept": "image/png"}))
    assert ok["statusCode"] == 200 and ok["isBase64Encoded"] is True


def test_generic_500_and_log(app: Chalice, caplog: pytest.LogCaptureFixture) -> None:
    app.log.propagate = True
    result = call(app, rest_event("/boom"))
    assert result["statusCode"] == 500
    assert body_of(result) == {
        "Code": "InternalServerError",
        "Message": "An internal server error occurred.",
    }
    assert "Caught exception for path /boom" in caplog.text


def test_debug_traceback(app: Chalice) -> None:
    app.debug = True
    result = call(app, rest_event("/boom"))
    assert result["statusCode"] == 500
    assert result["headers"]["Content-Type"] == "text/plain"
    assert "RuntimeError: kaboom" in result["body"]
    assert "Traceback" in result["body"]


@pytest.mark.parametrize("path", ["/unhandled", "/badheader", "/notjson"])
def test_other_failures_are_500(app: Chalice, path: str) -> None:
    result = call(app, rest_event(path))
    assert result["statusCode"] == 500
    assert body_of(result)["Code"] == "InternalServerError"


def test_cors_headers_merged_without_overriding(app: Chalice) -> None:
    result = call(app, rest_event("/cors"))
    headers = result["headers"]
    assert headers["Access-Control-Allow-Origin"] == "https://mine"
    assert headers["Access-Control-Max-Age"] == "60"
    assert "Authorization" in headers["Access-Control-Allow-Headers"]


def test_cors_headers_on_errors() -> None:
    app = Chalice("x", configure_logs=False)
    app.api.cors = True

    @app.route("/", content_types=["application/json"])
    def index() -> None:
        raise BadRequestError("no")

    result = call(app, rest_event("/"))
    assert result["statusCode"] == 400
    assert result["headers"]["Access-Control-Allow-Origin"] == "*"
    result = call(app, rest_event("/", headers={"Content-Type": "text/plain"}))
    assert result["statusCode"] == 415
    assert result["headers"]["Access-Control-Allow-Origin"] == "*"


def test_missing_path_parameters_are_bad_request(app: Chalice) -> None:
    result = call(app, rest_event("/items/{item_id}", params=None))
    assert result["statusCode"] == 400
    assert "item_id" in body_of(result)["Message"]


@pytest.mark.parametrize(
    "name",
    [
        "powertools-apiGatewayProxyEvent.json",
        "powertools-apiGatewayProxyEvent_noVersionAuth.json",
        "powertools-apiGatewayProxyEventPathTrailingSlash.json",
        "powertools-apiGatewayProxyEventPrincipalId.json",
        "powertools-example-getting_started_rest_api_resolver.json",
        "go-apigw-request.json",
        "dotnet-values-get-customauthorizer-apigateway-request.json",
        "dotnet-values-put-withbody-apigateway-request.json",
        "dotnet-encode-space-in-resource-path-and-query.json",
        "dotnet-encode-plus-in-resource-path.json",
        "sam-AwsProxy.json",
        "sam-AwsProxy-put-unicode-body.json",
    ],
)
def test_every_real_rest_event_gives_a_response(name: str) -> None:
    """Each payload, routed to a view that reads everything, answers without crashing."""
    event = load_event(f"apigw-rest/{name}")
    app = Chalice("real", configure_logs=False)
    path = (event.get("requestContext") or {}).get("resourcePath") or event["resource"]
    method = (event.get("requestContext") or {}).get("httpMethod") or event["httpMethod"]

    @app.route(path, methods=[method], content_types=["*/*"])
    def view(**kwargs: str) -> dict[str, Any]:
        request = app.current_request
        assert request is not None
        return {
            "kwargs": kwargs,
            "query": request.query_params and dict(request.query_params),
            "json": request.json_body,
            "raw": len(request.raw_body),
            "dict": request.to_dict(),
        }

    result = call(app, event)
    assert result["statusCode"] in (200, 400), result


def test_malformed_events_never_crash(app: Chalice) -> None:
    bad_events: list[Any] = [
        {"requestContext": None},
        {"requestContext": {"resourcePath": "/"}},
        {"requestContext": {"resourcePath": "/", "httpMethod": "GET"}, "headers": None},
        {"resource": "/items/{item_id}", "httpMethod": "GET", "pathParameters": "oops"},
        rest_event(
            "/items/{item_id}",
            "PUT",
            params={"item_id": "1"},
            body="!!",
            base64=True,
            headers={"Content-Type": "application/json"},
        ),
        rest_event(
            "/items/{item_id}",
            "PUT",
            params={"item_id": "1"},
            body="{bad",
            headers={"Content-Type": "application/json"},
        ),
        rest_event(
            "/items/{item_id}",
            "PUT",
            params={"item_id": "1"},
            body=base64.b64encode(b"\xff\xfe").decode(),
            base64=True,
            headers={"Content-Type": "application/json"},
        ),
        {"requestContext": "nope", "resource": "/"},
        {"requestContext": {"resourcePath": "/", "httpMethod": "GET"}, "headers": ["x"]},
        "not a dict",
    ]
    for event in bad_events:
        result = call(app, event)
        assert result["statusCode"] in (200, 400, 405, 500), (event, result)


_segment = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
_param = st.from_regex(r"[a-z_][a-z0-9_]{0,7}", fullmatch=True)


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.one_of(_segment.map(lambda s: ("lit", s)), _param.map(lambda p: ("param", p))),
        min_size=1,
        max_size=6,
        unique_by=lambda x: x[1],
    ),
    st.data(),
)
def test_path_params_reach_the_view(parts: list[tuple[str, str]], data: st.DataObject) -> None:
    path = "/" + "/".join(f"{{{v}}}" if kind == "param" else v for kind, v in parts)
    names = [v for kind, v in parts if kind == "param"]
    values = {n: data.draw(st.text(min_size=1, max_size=10), label=n) for n in names}
    app = Chalice("prop", configure_logs=False)
    seen: dict[str, str] = {}

    @app.route(path)
    def view(**kwargs: str) -> dict[str, str]:
        seen.update(kwargs)
        return kwargs

    assert app.routes[path]["GET"].view_args == names
    result = call(app, rest_event(path, params=dict(values)))
    assert result["statusCode"] == 200
    assert seen == values


_junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3),
)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {},
        optional={
            "resource": st.sampled_from(["/", "/items/{item_id}", "/upload"]) | _junk,
            "httpMethod": st.sampled_from(["GET", "PUT", "POST"]) | _junk,
            "requestContext": st.fixed_dictionaries(
                {},
                optional={
                    "resourcePath": st.sampled_from(["/", "/items/{item_id}", "/png"]) | _junk,
                    "httpMethod": st.sampled_from(["GET", "PUT", "POST"]) | _junk,
                },
            )
            | _junk,
            "headers": st.dictionaries(
                st.sampled_from(["Content-Type", "accept", "X-Other"]) | st.text(max_size=5),
                st.sampled_from(["application/json", "image/png", "text/plain"]) | _junk,
                max_size=3,
            )
            | _junk,
            "pathParameters": st.fixed_dictionaries({}, optional={"item_id": _junk}) | _junk,
            "multiValueQueryStringParameters": _junk,
            "queryStringParameters": _junk,
            "body": _junk | st.binary(max_size=10),
            "isBase64Encoded": _junk,
        },
    )
)
def test_fuzzed_events_always_give_a_proxy_result(event: dict[str, Any]) -> None:
    app = Chalice("fuzz", configure_logs=False)

    @app.route("/items/{item_id}", methods=["GET", "PUT"])
    def item(item_id: Any) -> Any:
        request = app.current_request
        assert request is not None
        return {
            "q": request.query_params and dict(request.query_params),
            "json": request.json_body,
            "dict": request.to_dict(),
        }

    result = app(event, None)
    assert isinstance(result["statusCode"], int)
    assert isinstance(result["body"], str)
