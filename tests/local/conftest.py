"""A sample app exercising what the local API Gateway emulation handles."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest

from chalice import (
    AuthResponse,
    AuthRoute,
    Chalice,
    CognitoUserPoolAuthorizer,
    CORSConfig,
    IAMAuthorizer,
    Response,
)


def make_jwt(claims: dict[str, Any]) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.signature"


def build_app() -> Chalice:
    app = Chalice(app_name="localtest")
    app.api.binary_types.append("application/x-custom")

    @app.authorizer()
    def token_auth(auth_request):  # type: ignore[no-untyped-def]
        token = auth_request.token
        if token == "allow":
            return AuthResponse(routes=["*"], principal_id="alice", context={"team": "blue"})
        if token == "only-get-items":
            return AuthResponse(routes=[AuthRoute("/secret/*", ["GET"])], principal_id="bob")
        if token == "root":
            return AuthResponse(routes=["/"], principal_id="carol")
        if token == "none":
            return None
        return AuthResponse(routes=[], principal_id="nobody")

    @app.authorizer(header="X-Api-Token")
    def header_auth(auth_request):  # type: ignore[no-untyped-def]
        return AuthResponse(routes=["*"], principal_id=auth_request.token)

    cognito = CognitoUserPoolAuthorizer("pool", provider_arns=["arn:aws:cognito-idp:x"])

    @app.route("/")
    def index():  # type: ignore[no-untyped-def]
        return {"hello": "world"}

    @app.route("/users/me")
    def me():  # type: ignore[no-untyped-def]
        return {"who": "me"}

    @app.route("/users/{user_id}", methods=["GET", "PUT"])
    def user(user_id):  # type: ignore[no-untyped-def]
        request = app.current_request
        return {
            "user_id": user_id,
            "method": request.method,
            "path": request.path,
            "json": request.json_body if request.method == "PUT" else None,
        }

    @app.route("/echo", methods=["POST", "GET"])
    def echo():  # type: ignore[no-untyped-def]
        request = app.current_request
        event = request.to_original_event()
        return {
            "query": event["multiValueQueryStringParameters"],
            "headers": dict(request.headers),
            "context": request.context,
            "raw": request.raw_body.decode("latin-1"),
            "base64": event["isBase64Encoded"],
            "stage_vars": request.stage_vars,
        }

    @app.route(
        "/upload",
        methods=["POST"],
        content_types=["application/octet-stream", "application/x-custom"],
    )
    def upload():  # type: ignore[no-untyped-def]
        data = app.current_request.raw_body
        return Response(
            body=data[::-1], headers={"Content-Type": "application/octet-stream"}, status_code=201
        )

    @app.route(
        "/cors", methods=["GET", "POST"], cors=CORSConfig(allow_origin="https://x.dev", max_age=60)
    )
    def cors_view():  # type: ignore[no-untyped-def]
        return {"cors": True}

    @app.route("/own-options", methods=["OPTIONS"])
    def own_options():  # type: ignore[no-untyped-def]
        return Response(body="mine", headers={"X-Own": "1"})

    @app.route("/secret/{name}", authorizer=token_auth, methods=["GET", "DELETE"])
    def secret(name):  # type: ignore[no-untyped-def]
        return {"name": name, "auth": app.current_request.context.get("authorizer")}

    @app.route("/rooted", authorizer=token_auth)
    def rooted():  # type: ignore[no-untyped-def]
        return {}

    @app.route("/custom-header", authorizer=header_auth)
    def custom_header():  # type: ignore[no-untyped-def]
        return {"auth": app.current_request.context.get("authorizer")}

    @app.route("/cognito", authorizer=cognito)
    def cognito_view():  # type: ignore[no-untyped-def]
        return {"auth": app.current_request.context.get("authorizer")}

    @app.route("/iam", authorizer=IAMAuthorizer())
    def iam_view():  # type: ignore[no-untyped-def]
        return {"iam": True}

    @app.route("/cookies")
    def cookies():  # type: ignore[no-untyped-def]
        return Response(
            body="", headers={"Set-Cookie": ["a=1", "b=2"], "Content-Type": "text/plain"}
        )

    @app.route("/slow/{n}")
    def slow(n):  # type: ignore[no-untyped-def]
        time.sleep(0.2)
        return {"n": n, "seen": app.current_request.uri_params["n"]}

    @app.route("/unserializable")
    def unserializable():  # type: ignore[no-untyped-def]
        return {"obj": object()}

    @app.route("/boom")
    def boom():  # type: ignore[no-untyped-def]
        raise RuntimeError("kaboom")

    @app.lambda_function()
    def pure(event, context):  # type: ignore[no-untyped-def]
        return {
            "event": event,
            "name": context.function_name,
            "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(),
        }

    return app


@pytest.fixture
def app() -> Chalice:
    return build_app()
