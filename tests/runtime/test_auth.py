"""Authorizer objects, the built-in authorizer and AuthResponse policies."""

from __future__ import annotations

from typing import Any

import pytest

from chalice import (
    AuthResponse,
    AuthRoute,
    Chalice,
    CognitoUserPoolAuthorizer,
    CustomAuthorizer,
    IAMAuthorizer,
)
from chalice.app import AuthRequest, ChaliceAuthorizer
from tests.runtime.conftest import load_event


def test_iam_authorizer() -> None:
    auth = IAMAuthorizer()
    assert auth.name == "sigv4"
    assert auth.to_swagger()["x-amazon-apigateway-authtype"] == "awsSigv4"
    with pytest.raises(NotImplementedError):
        auth.with_scopes(["a"])


def test_cognito_authorizer() -> None:
    auth = CognitoUserPoolAuthorizer("pool", provider_arns=["arn:pool"], header="X-Auth")
    swagger = auth.to_swagger()
    assert swagger["name"] == "X-Auth"
    assert swagger["x-amazon-apigateway-authorizer"] == {
        "type": "cognito_user_pools",
        "providerARNs": ["arn:pool"],
    }
    scoped = auth.with_scopes(["read"])
    assert scoped.scopes == ["read"] and auth.scopes == []
    assert scoped.provider_arns is not auth.provider_arns  # deep copy
    with pytest.raises(TypeError, match="list"):
        CognitoUserPoolAuthorizer("pool", provider_arns="arn:pool")  # type: ignore[arg-type]


def test_custom_authorizer() -> None:
    auth = CustomAuthorizer(
        "c", authorizer_uri="arn:uri", ttl_seconds=10, invoke_role_arn="arn:role"
    )
    authorizer = auth.to_swagger()["x-amazon-apigateway-authorizer"]
    assert authorizer == {
        "type": "token",
        "authorizerUri": "arn:uri",
        "authorizerResultTtlInSeconds": 10,
        "authorizerCredentials": "arn:role",
    }
    assert (
        "authorizerCredentials"
        not in CustomAuthorizer("c", "u").to_swagger()["x-amazon-apigateway-authorizer"]
    )


def test_builtin_authorizer_registration_and_call() -> None:
    app = Chalice("auth", configure_logs=False)

    @app.authorizer(ttl_seconds=60, execution_role="arn:role", header="X-Token")
    def my_auth(request: AuthRequest) -> AuthResponse:
        assert request.auth_type == "TOKEN"
        return AuthResponse(
            routes=["/foo", AuthRoute("/bar", ["GET", "POST"]), "*"],
            principal_id=request.token or "",
            context={"k": "v"},
        )

    @app.route("/foo", authorizer=my_auth)
    def foo() -> dict[str, str]:
        return {}

    assert isinstance(my_auth, ChaliceAuthorizer)
    config = app.builtin_auth_handlers[0]
    assert (
        config.name,
        config.handler_string,
        config.ttl_seconds,
        config.execution_role,
        config.header,
    ) == ("my_auth", "app.my_auth", 60, "arn:role", "X-Token")
    assert my_auth.config is config
    assert app.routes["/foo"]["GET"].authorizer is my_auth
    assert app.handler_map["my_auth"] is my_auth

    event = load_event("apigw-authorizer/powertools-apiGatewayAuthorizerTokenEvent.json")
    result = app.handler_map["my_auth"](event, None)
    assert result["principalId"] == "allow"
    assert result["context"] == {"k": "v"}
    statement = result["policyDocument"]["Statement"][0]
    assert statement["Action"] == "execute-api:Invoke" and statement["Effect"] == "Allow"
    prefix = ":".join(event["methodArn"].split(":")[:5])
    api_stage = "/".join(event["methodArn"].split(":")[5].split("/")[:2])
    assert statement["Resource"] == [
        f"{prefix}:{api_stage}/*/foo",
        f"{prefix}:{api_stage}/GET/bar",
        f"{prefix}:{api_stage}/POST/bar",
        f"{prefix}:{api_stage}/*/*",
    ]
    swagger = my_auth.to_swagger()
    assert swagger["name"] == "X-Token"
    assert swagger["x-amazon-apigateway-authorizer"]["authorizerResultTtlInSeconds"] == 60


def test_builtin_authorizer_with_scopes_and_dict_result() -> None:
    app = Chalice("auth", configure_logs=False)

    @app.authorizer()
    def raw(request: AuthRequest) -> dict[str, Any]:
        return {"principalId": "x"}

    scoped = raw.with_scopes(["s"])
    assert scoped.scopes == ["s"] and raw.scopes == []
    assert scoped.func is raw.func
    event = load_event("apigw-authorizer/sam-ApiGatewayAuthorizer-token.json")
    assert raw(event, None) == {"principalId": "x"}
    swagger = raw.to_swagger()["x-amazon-apigateway-authorizer"]
    assert "authorizerResultTtlInSeconds" not in swagger
    assert "{raw_lambda_arn}" in swagger["authorizerUri"]


def test_request_authorizer_event_without_token() -> None:
    seen: list[AuthRequest] = []
    auth = ChaliceAuthorizer("a", lambda r: seen.append(r) or {"principalId": "p"})
    event = load_event("apigw-authorizer/sam-ApiGatewayRestRequestAuthorizer.json")
    auth(event, None)
    assert seen[0].auth_type == "REQUEST" and seen[0].token is None


def test_auth_response_with_bad_method_arn() -> None:
    with pytest.raises(ValueError, match="methodArn"):
        AuthResponse(["/"], "p").to_dict(AuthRequest("TOKEN", "t", "garbage"))


def test_authorizer_kwargs_are_checked() -> None:
    app = Chalice("auth", configure_logs=False)
    with pytest.raises(TypeError):
        app.authorizer(bogus=1)  # type: ignore[call-arg]


def test_malformed_authorizer_event() -> None:
    seen: list[AuthRequest] = []
    auth = ChaliceAuthorizer("a", lambda r: seen.append(r) or {"principalId": "p"})
    assert auth("garbage", None) == {"principalId": "p"}  # type: ignore[arg-type]
    assert seen[0].token is None and seen[0].method_arn is None
