"""Built-in authorizers called by an HTTP API (payload format 2.0 REQUEST events)."""

from __future__ import annotations

from typing import Any

import pytest

from chalice import Chalice
from chalice.app import AuthRequest, AuthResponse, AuthRoute
from chalice.app._auth import HttpAPIAuthRequest
from tests.runtime.conftest import load_event

V2_AUTH_EVENT = "apigw-authorizer/powertools-apiGatewayAuthorizerV2Event.json"


def test_v2_event_gives_the_function_an_http_api_auth_request() -> None:
    app = Chalice("auth", configure_logs=False)
    seen: list[AuthRequest] = []

    @app.authorizer()
    def check(request: AuthRequest) -> dict[str, Any]:
        seen.append(request)
        return {"isAuthorized": True, "context": {"tenant": "t1"}}

    event = load_event(V2_AUTH_EVENT)
    result = app.handler_map["check"](event, None)
    assert result == {"isAuthorized": True, "context": {"tenant": "t1"}}
    request = seen[0]
    assert isinstance(request, HttpAPIAuthRequest)
    assert request.auth_type == "REQUEST"
    assert request.token == "user1"  # the first identity source
    assert request.identity_source == ["user1", "123"]
    assert request.method_arn == event["routeArn"]
    assert request.route_key == "GET /merchants"
    assert request.raw_path == "/merchants"
    assert request.headers["authorization"] == "value"
    assert request.headers["cookie"] == "cookie1; cookie2"
    assert request.query_params is not None
    assert request.query_params.getlist("parameter1") == ["value1", "value2"]
    assert request.uri_params == {"parameter1": "value1"}
    assert request.stage_vars == {"stageVariable1": "value1", "stageVariable2": "value2"}
    assert request.context["http"]["sourceIp"] == "10.10.10.10"
    assert request.event is event
    assert "GET /merchants" in repr(request)


def test_token_comes_from_the_configured_header_without_identity_source() -> None:
    app = Chalice("auth", configure_logs=False)
    tokens: list[str | None] = []

    @app.authorizer(header="X-Api-Key")
    def check(request: AuthRequest) -> bool:
        tokens.append(request.token)
        return request.token == "secret"

    event = load_event(V2_AUTH_EVENT)
    event.pop("identitySource")
    event["headers"]["x-api-key"] = "secret"
    assert check(event, None) == {"isAuthorized": True}
    event["headers"]["x-api-key"] = "wrong"
    assert check(event, None) == {"isAuthorized": False}
    event.pop("rawQueryString")
    assert HttpAPIAuthRequest(event).query_params is None
    assert tokens == ["secret", "wrong"]


def test_auth_response_becomes_an_iam_policy_for_the_route_arn() -> None:
    app = Chalice("auth", configure_logs=False)

    @app.authorizer()
    def check(request: AuthRequest) -> AuthResponse:
        return AuthResponse(
            routes=[AuthRoute("/merchants", ["GET"]), "*"], principal_id="u1", context={"a": "b"}
        )

    result = check(load_event(V2_AUTH_EVENT), None)
    assert result["principalId"] == "u1"
    assert result["context"] == {"a": "b"}
    base = "arn:aws:execute-api:us-east-1:123456789012:abcdef123/test"
    assert result["policyDocument"]["Statement"][0]["Resource"] == [
        f"{base}/GET/merchants",
        f"{base}/*/*",
    ]


def test_rest_token_events_are_unchanged() -> None:
    app = Chalice("auth", configure_logs=False)

    @app.authorizer()
    def check(request: AuthRequest) -> dict[str, Any]:
        return {"type": request.auth_type, "cls": type(request).__name__}

    event = load_event("apigw-authorizer/powertools-apiGatewayAuthorizerTokenEvent.json")
    assert check(event, None) == {"type": "TOKEN", "cls": "AuthRequest"}
    # A REST REQUEST authorizer event (version 1.0 shape) is not a 2.0 one.
    rest = load_event("apigw-authorizer/sam-ApiGatewayRestRequestAuthorizer.json")
    assert check(rest, None)["cls"] == "AuthRequest"


def test_simple_responses_is_keyword_only_and_carried_to_the_snapshot() -> None:
    from chalice.app._snapshot import snapshot

    app = Chalice("auth", configure_logs=False)

    @app.authorizer(ttl_seconds=5, simple_responses=True)
    def simple(request: AuthRequest) -> bool:
        return True

    @app.authorizer()
    def policy(request: AuthRequest) -> bool:
        return True

    app.route("/s", authorizer=simple)(lambda: {})
    app.route("/p", authorizer=policy)(lambda: {})
    assert simple.config.simple_responses is True
    assert policy.config.simple_responses is False
    assert app.handler_map["simple"].config.handler_string == "app.simple"
    specs = {r.path: r.authorizer for r in snapshot(app).routes}
    assert specs["/s"] is not None and specs["/s"].simple_responses is True
    assert specs["/p"] is not None and specs["/p"].simple_responses is False
    with pytest.raises(TypeError):
        app.authorizer(None, None, None, "Authorization", True)  # type: ignore[misc]


def test_a_simple_responses_authorizer_passes_its_answer_through() -> None:
    # The gateway judges the format (an AuthResponse is its 500), so the
    # runtime neither rewrites nor hides what the function returned.
    app = Chalice("auth", configure_logs=False)

    @app.authorizer(simple_responses=True)
    def check(request: AuthRequest) -> Any:
        if request.token == "user1":
            return {"isAuthorized": True, "context": {"k": "v"}}
        return AuthResponse(routes=["*"], principal_id="p")

    event = load_event(V2_AUTH_EVENT)
    assert check(event, None) == {"isAuthorized": True, "context": {"k": "v"}}
    event["identitySource"] = ["other"]
    assert "policyDocument" in check(event, None)
