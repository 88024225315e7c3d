"""``chalice.test.Client``: HTTP through the gateway emulation, lambda invoke, events."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest

from chalice import Chalice
from chalice.test import Client, FunctionNotFoundError, HTTPResponse
from tests.local.conftest import make_jwt


def test_get_with_path_params_and_literal_precedence(app: Chalice) -> None:
    with Client(app) as client:
        assert client.http.get("/").json_body == {"hello": "world"}
        assert client.http.get("/users/me").json_body == {"who": "me"}
        body = client.http.get("/users/42/").json_body
        assert body == {
            "user_id": "42",
            "method": "GET",
            "path": "/users/{id}".replace("id", "user_id"),
            "json": None,
        }


def test_put_json_and_method_upper_casing(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.request(
            "put", "/users/7", headers={"Content-Type": "application/json"}, body=b'{"a": 1}'
        )
        assert response.status_code == 200
        assert response.json_body["json"] == {"a": 1}
        bad = client.http.put("/users/7", headers={"content-type": "application/json"}, body=b"{")
        assert bad.status_code == 400
        assert bad.json_body == {"Code": "BadRequestError", "Message": "Error Parsing JSON"}


def test_event_shape(app: Chalice) -> None:
    with Client(app, stage_name="dev") as client:
        response = client.http.get(
            "/echo?a=1&a=2&empty=", headers={"X-Thing": "v", "User-Agent": "pytest"}
        )
    body = response.json_body
    assert body["query"] == {"a": ["1", "2"], "empty": [""]}
    assert body["headers"]["x-thing"] == "v"
    context = body["context"]
    assert context["httpMethod"] == "GET"
    assert context["resourcePath"] == "/echo"
    assert context["path"] == "/echo"
    assert context["identity"]["sourceIp"] == "127.0.0.1"
    assert context["identity"]["userAgent"] == "pytest"
    assert context["stage"] == "api"
    assert context["requestId"] and context["requestTimeEpoch"] > 0
    assert body["stage_vars"] == {}
    assert body["raw"] == "" and body["base64"] is False


def test_unknown_route_is_a_403_with_gateway_headers(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/nope")
        assert response.status_code == 403
        assert response.json_body == {"message": "Missing Authentication Token"}
        assert response.headers["x-amzn-ErrorType"] == "UnauthorizedException"
        assert "x-amzn-RequestId" in response.headers
        signed = client.http.get("/nope", headers={"Authorization": "AWS4 stuff"})
        assert signed.status_code == 403
        assert "Authorization header requires 'Credential'" in signed.json_body["message"]


def test_method_not_allowed_comes_from_the_app(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.delete("/users/1")
    assert response.status_code == 405
    assert response.json_body["Code"] == "MethodNotAllowedError"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "PUT"}


def test_cors_preflight_is_a_real_response(app: Chalice) -> None:
    # Upstream raised AttributeError here (quirk #14).
    with Client(app) as client:
        response = client.http.options("/cors")
        assert isinstance(response, HTTPResponse)
        assert response.status_code == 200 and response.body == b""
        assert response.headers["Access-Control-Allow-Origin"] == "https://x.dev"
        assert response.headers["Access-Control-Max-Age"] == "60"
        assert response.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
        plain = client.http.options("/users/1")
        assert plain.headers == {"Access-Control-Allow-Methods": "OPTIONS"}
        own = client.http.options("/own-options")
        assert own.body == b"mine" and own.headers["X-Own"] == "1"
        assert client.http.get("/cors").headers["Access-Control-Allow-Origin"] == "https://x.dev"


@pytest.mark.parametrize(
    "content_type",
    ["application/octet-stream", "Application/Octet-Stream; charset=x", "application/x-custom"],
)
def test_binary_request_and_response(app: Chalice, content_type: str) -> None:
    payload = bytes(range(256))
    with Client(app) as client:
        response = client.http.post(
            "/upload",
            headers={"Content-Type": content_type, "Accept": "application/octet-stream"},
            body=payload,
        )
    assert response.status_code == 201
    assert response.body == payload[::-1]


def test_builtin_authorizer(app: Chalice) -> None:
    with Client(app) as client:
        missing = client.http.get("/secret/x")
        assert missing.status_code == 401 and missing.json_body == {"message": "Unauthorized"}
        denied = client.http.get("/secret/x", headers={"Authorization": "nope"})
        assert denied.status_code == 403
        assert denied.json_body == {"Message": "User is not authorized to access this resource"}
        assert denied.headers["x-amzn-ErrorType"] == "AccessDeniedException"
        allowed = client.http.get("/secret/x", headers={"Authorization": "allow"})
        assert allowed.status_code == 200
        assert allowed.json_body["auth"] == {"team": "blue", "principalId": "alice"}
        broken = client.http.get("/secret/x", headers={"Authorization": "none"})
        assert broken.status_code == 500 and broken.json_body == {"message": None}
        assert broken.headers["x-amzn-ErrorType"] == "AuthorizerConfigurationException"


def test_gateway_error_bodies_are_byte_for_byte_upstreams(app: Chalice) -> None:
    # Suites compare raw bodies: the 401 and the authorizer 500 are compact,
    # the 403s keep a space after the colon.
    with Client(app) as client:
        assert client.http.get("/secret/x").body == b'{"message":"Unauthorized"}'
        broken = client.http.get("/secret/x", headers={"Authorization": "none"})
        assert broken.body == b'{"message":null}'
        denied = client.http.get("/secret/x", headers={"Authorization": "nope"})
        assert denied.body == b'{"Message": "User is not authorized to access this resource"}'
        assert client.http.get("/no/such/route").body == (
            b'{"message": "Missing Authentication Token"}'
        )


def test_authorizer_policy_is_matched_per_method_and_path(app: Chalice) -> None:
    with Client(app) as client:
        headers = {"Authorization": "only-get-items"}
        assert client.http.get("/secret/a", headers=headers).status_code == 200
        assert client.http.delete("/secret/a", headers=headers).status_code == 403
        assert client.http.get("/rooted", headers={"Authorization": "root"}).status_code == 403


def test_authorizer_custom_header_is_honoured(app: Chalice) -> None:
    # Upstream local mode always read Authorization (quirk #13).
    with Client(app) as client:
        assert client.http.get("/custom-header", headers={"Authorization": "x"}).status_code == 401
        response = client.http.get("/custom-header", headers={"x-api-token": "tok"})
        assert response.json_body["auth"]["principalId"] == "tok"


def test_cognito_claims_are_decoded(app: Chalice, caplog: pytest.LogCaptureFixture) -> None:
    with Client(app) as client:
        token = make_jwt({"cognito:username": "dana", "email": "d@x"})
        body = client.http.get("/cognito", headers={"Authorization": token}).json_body
        assert body["auth"] == {
            "claims": {"cognito:username": "dana", "email": "d@x"},
            "principalId": "dana",
        }
        with caplog.at_level(logging.WARNING, logger="chalice.local"):
            m2m = client.http.get("/cognito", headers={"Authorization": make_jwt({"scope": "s"})})
        assert m2m.status_code == 200 and "cognito:username" in caplog.text


def test_cognito_without_a_readable_token_is_allowed_with_a_warning(
    app: Chalice, caplog: pytest.LogCaptureFixture
) -> None:
    # Upstream lets these through (tokens are not verified locally anyway);
    # a 401 here changed the verdict of existing test suites.
    with Client(app) as client, caplog.at_level(logging.WARNING, logger="chalice.local"):
        missing = client.http.get("/cognito")
        garbage = client.http.get("/cognito", headers={"Authorization": "garbage"})
        not_base64 = client.http.get("/cognito", headers={"Authorization": "a.b.c"})
    assert [r.status_code for r in (missing, garbage, not_base64)] == [200, 200, 200]
    assert missing.json_body == {"auth": None} and garbage.json_body == {"auth": None}
    assert "no Authorization header" in caplog.text
    assert "not a JWT" in caplog.text


def test_iam_authorizer_warns_and_allows(app: Chalice, caplog: pytest.LogCaptureFixture) -> None:
    with Client(app) as client, caplog.at_level(logging.WARNING, logger="chalice.local"):
        assert client.http.get("/iam").json_body == {"iam": True}
    assert "not supported in local mode" in caplog.text


def test_multi_value_response_headers(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/cookies")
    assert response.headers["Set-Cookie"] == ["a=1", "b=2"]
    assert response.headers["Content-Type"] == "text/plain"


def test_app_errors(app: Chalice) -> None:
    with Client(app) as client:
        response = client.http.get("/boom")
        assert response.status_code == 500
        assert response.json_body["Code"] == "InternalServerError"


def test_unserializable_result_raises_into_the_test(app: Chalice) -> None:
    # As upstream's test client: the TypeError reaches the test (a 500 would
    # hide which value could not be encoded).
    with Client(app) as client, pytest.raises(TypeError, match="not JSON serializable"):
        client.http.get("/unserializable")


def test_s3_event_key_is_passed_as_given() -> None:
    event = Client(Chalice("k")).events.generate_s3_event("b", "dir/a b+c%20.txt")
    assert event["Records"][0]["s3"]["object"]["key"] == "dir/a b+c%20.txt"


def _project(tmp_path: Path) -> Path:
    config = {
        "version": "2.0",
        "app_name": "localtest",
        "environment_variables": {"SHARED": "top"},
        "stages": {
            "dev": {
                "environment_variables": {"STAGE_VAR": "dev-value"},
                "lambda_memory_size": 256,
                "lambda_functions": {
                    "pure": {"environment_variables": {"FN_VAR": "pure-only"}, "lambda_timeout": 5}
                },
            }
        },
    }
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text(json.dumps(config))
    return tmp_path


def test_environment_variables_are_patched_during_calls(tmp_path: Path) -> None:
    app = Chalice(app_name="envtest")

    @app.route("/env")
    def env():  # type: ignore[no-untyped-def]
        return {k: os.environ.get(k) for k in ("SHARED", "STAGE_VAR", "FN_VAR")}

    @app.lambda_function()
    def pure(event, context):  # type: ignore[no-untyped-def]
        return {
            "env": {k: os.environ.get(k) for k in ("SHARED", "STAGE_VAR", "FN_VAR")},
            "memory": context.memory_limit_in_mb,
            "remaining": context.get_remaining_time_in_millis(),
        }

    os.environ.pop("STAGE_VAR", None)
    with Client(app, project_dir=str(_project(tmp_path))) as client:
        assert client.http.get("/env").json_body == {
            "SHARED": "top", "STAGE_VAR": "dev-value", "FN_VAR": None,
        }  # fmt: skip
        result = client.lambda_.invoke("pure").payload
    assert result["env"] == {"SHARED": "top", "STAGE_VAR": "dev-value", "FN_VAR": "pure-only"}
    assert result["memory"] == 256 and 0 < result["remaining"] <= 5000
    assert "STAGE_VAR" not in os.environ


def test_missing_or_broken_config_falls_back_to_defaults(app: Chalice, tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text("{not json")
    with Client(app, project_dir=str(tmp_path)) as client:
        result = client.lambda_.invoke("pure", {"k": 1}).payload
    assert result["event"] == {"k": 1} and result["name"] == "pure" and result["memory"] == 128


def test_invoke_unknown_function(app: Chalice) -> None:
    with Client(app) as client, pytest.raises(FunctionNotFoundError) as info:
        client.lambda_.invoke("nope")
    assert "nope" in str(info.value)
    assert Client(app).lambda_.invoke("pure").payload["event"] == {}


def test_event_generators_round_trip_through_handlers() -> None:
    app = Chalice(app_name="events")
    app.experimental_feature_flags.add("WEBSOCKETS")
    seen: dict[str, object] = {}

    @app.on_sns_message(topic="mytopic")
    def sns(event):  # type: ignore[no-untyped-def]
        seen["sns"] = (event.message, event.subject)

    @app.on_s3_event(bucket="bucket")
    def s3(event):  # type: ignore[no-untyped-def]
        seen["s3"] = (event.bucket, event.key)

    @app.on_sqs_message(queue="queue")
    def sqs(event):  # type: ignore[no-untyped-def]
        seen["sqs"] = [record.body for record in event]

    @app.on_cw_event({"source": ["my.source"]})
    def cw(event):  # type: ignore[no-untyped-def]
        seen["cw"] = (event.source, event.detail_type, event.detail)

    @app.on_kinesis_record(stream="stream")
    def kinesis(event):  # type: ignore[no-untyped-def]
        seen["kinesis"] = [record.data for record in event]

    @app.on_dynamodb_record(stream_arn="arn:aws:dynamodb:x")
    def ddb(event):  # type: ignore[no-untyped-def]
        seen["ddb"] = [(record.event_name, record.keys) for record in event]

    @app.on_ws_message()
    def message(event):  # type: ignore[no-untyped-def]
        seen["ws"] = (event.body, event.connection_id)

    with Client(app) as client:
        events = client.events
        client.lambda_.invoke("sns", events.generate_sns_event("hi", subject="s"))
        # The key goes in as given (already encoded, as S3 sends it); the
        # runtime decodes it for the handler.
        client.lambda_.invoke("s3", events.generate_s3_event("bucket", "dir/a+b%2Bc.txt"))
        client.lambda_.invoke("sqs", events.generate_sqs_event(["one", "two"]))
        client.lambda_.invoke(
            "cw", events.generate_cw_event("my.source", "Thing Happened", {"k": 1}, [])
        )
        client.lambda_.invoke("kinesis", events.generate_kinesis_event([b"\x00\x01", b"x"]))
        client.lambda_.invoke(
            "ddb",
            events.generate_dynamodb_event([{"Keys": {"id": {"S": "1"}}, "eventName": "MODIFY"}]),
        )
        client.lambda_.invoke("message", events.generate_websocket_event(body="yo"))
    assert seen["sns"] == ("hi", "s")
    assert seen["s3"] == ("bucket", "dir/a b+c.txt")
    assert seen["sqs"] == ["one", "two"]
    assert seen["cw"] == ("my.source", "Thing Happened", {"k": 1})
    assert seen["kinesis"] == [b"\x00\x01", b"x"]
    assert seen["ddb"] == [("MODIFY", {"id": {"S": "1"}})]
    assert seen["ws"] == ("yo", "local-connection-id")


def test_default_sns_attributes_and_sqs_md5() -> None:
    with Client(Chalice(app_name="x")) as client:
        sns = client.events.generate_sns_event("m")
        assert sns["Records"][0]["Sns"]["MessageAttributes"] == {
            "AttributeKey": {"Type": "String", "Value": "AttributeValue"}
        }
        sqs = client.events.generate_sqs_event(["hello"], queue_name="q")
        record = sqs["Records"][0]
        assert record["md5OfBody"] == "5d41402abc4b2a76b9719d911017c592"
        assert record["eventSourceARN"].endswith(":q")
