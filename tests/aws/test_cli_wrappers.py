"""The calls of ``chalice logs``/``invoke``/``generate-sdk`` through ``chalice.aws``.

Small fake botocore clients (injected through the wrappers' constructors)
count attempts, so "an invoke is never retried" and "logs reads are retried
like a deploy's" are checked without a clock. The last tests go through the
real factory to moto.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest

from chalice import invoke as chalice_invoke
from chalice import logs as chalice_logs
from chalice import sdk
from chalice.aws.apigateway import APIGateway
from chalice.aws.errors import AWSError
from chalice.aws.lambda_ import Lambda
from chalice.aws.logs import Logs
from chalice.cli import services


def _client_error(code: str, op: str) -> Exception:
    from botocore.exceptions import ClientError

    err: Exception = ClientError({"Error": {"Code": code, "Message": f"{code} says no"}}, op)
    return err


class Flaky:
    """Fails each botocore method with ``errors`` in turn, then answers ``answer``."""

    def __init__(self, errors: list[Exception], answer: dict[str, Any]) -> None:
        self.errors = list(errors)
        self.answer = answer
        self.attempts = 0

    def _call(self, **_kw: Any) -> dict[str, Any]:
        self.attempts += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.answer

    invoke = filter_log_events = get_sdk = _call


def test_invoke_is_never_retried() -> None:
    client = Flaky([_client_error("ServiceException", "Invoke")], {"Payload": b"{}"})
    lam = Lambda(client, sleep=lambda _s: pytest.fail("an invoke must not be retried"))
    with pytest.raises(chalice_invoke.LambdaClientError, match="ServiceException"):
        chalice_invoke.invoke_function(lam, "arn:aws:lambda:us-west-2:1:function:f", b"{}")
    assert client.attempts == 1


def test_invoke_read_timeout_says_the_function_may_still_run() -> None:
    from botocore.exceptions import ReadTimeoutError

    client = Flaky([ReadTimeoutError(endpoint_url="http://127.0.0.1:1")], {})
    with pytest.raises(chalice_invoke.InvokeTimeoutError) as info:
        chalice_invoke.invoke_function(Lambda(client), "f", None)
    assert "may still be running" in str(info.value.fix)
    assert client.attempts == 1


def test_invoke_answer_passes_through() -> None:
    client = Flaky([], {"Payload": io.BytesIO(b'{"ok": 1}'), "StatusCode": 200})
    result = chalice_invoke.invoke_function(Lambda(client), "f", b"{}")
    assert result.payload == '{"ok": 1}' and result.function_error is None


def test_logs_reads_are_retried_like_a_deploys() -> None:
    page = {"events": [{"eventId": "1", "timestamp": 0, "logStreamName": "s", "message": "hi"}]}
    client = Flaky([_client_error("ThrottlingException", "FilterLogEvents")], page)
    pauses: list[float] = []
    logs = Logs(client, sleep=pauses.append)
    events = list(chalice_logs.LogRetriever(logs).events(chalice_logs.LogQuery("/aws/lambda/f")))
    assert [e.message for e in events] == ["hi"]
    assert client.attempts == 2 and len(pauses) == 1


def test_logs_of_a_function_that_never_logged_are_empty() -> None:
    client = Flaky([_client_error("ResourceNotFoundException", "FilterLogEvents")], {})
    retriever = chalice_logs.LogRetriever(Logs(client, sleep=lambda _s: None))
    assert list(retriever.events(chalice_logs.LogQuery("/aws/lambda/f"))) == []


def test_get_sdk_passes_through(tmp_path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("apiGateway-js-sdk/apigClient.js", "// sdk")
    client = Flaky([], {"body": io.BytesIO(buf.getvalue())})
    out = sdk.generate_sdk(
        APIGateway(client), rest_api_id="abc", api_gateway_stage="api", out_dir=tmp_path / "o"
    )
    assert (out / "apigClient.js").read_text() == "// sdk"


def test_factory_hands_out_the_wrappers(aws_env: str) -> None:
    assert isinstance(services.service_client("logs"), Logs)
    assert isinstance(services.service_client("lambda", read_timeout=9, max_attempts=0), Lambda)
    assert isinstance(services.service_client("apigateway"), APIGateway)
    with pytest.raises(ValueError, match="s3"):
        services.service_client("s3")


def test_factory_wrappers_reach_moto_with_chalice_user_agent(aws_env: str) -> None:
    from chalice import __version__
    from chalice.aws.session import new_session

    assert new_session().user_agent_extra == f"chalice/{__version__}"
    logs = services.service_client("logs")
    retriever = chalice_logs.LogRetriever(logs)
    assert list(retriever.events(chalice_logs.LogQuery("/aws/lambda/never-deployed"))) == []
    with pytest.raises(chalice_invoke.LambdaClientError, match="ResourceNotFoundException"):
        chalice_invoke.invoke_function(
            services.service_client("lambda", max_attempts=0), "never-deployed", b"{}"
        )


def test_aws_error_is_what_the_wrappers_raise(aws_env: str) -> None:
    with pytest.raises(AWSError) as info:
        services.service_client("apigateway").get_sdk(
            restApiId="nope", stageName="api", sdkType="javascript"
        )
    assert info.value.operation == "GetSdk"


class _Session:
    """A botocore-session stand-in that keeps the client config it was asked for."""

    def __init__(self) -> None:
        self.configs: list[Any] = []

    def create_client(self, name: str, config: Any = None) -> Any:
        self.configs.append(config)
        return Flaky([], {})

    def get_config_variable(self, name: str) -> str | None:
        return {"region": "us-west-2", "max_attempts": "7"}.get(name)


def test_max_attempts_and_read_timeout_reach_retries_and_botocore() -> None:
    from chalice.aws.session import AWSClients

    session = _Session()
    clients = AWSClients(session, max_attempts=0, read_timeout=65, connection_timeout=10)
    assert clients.retrier.settings.throttle.attempts == 1
    assert clients.retrier.settings.transient.attempts == 1
    clients.client("lambda")
    [config] = session.configs
    assert (config.read_timeout, config.connect_timeout) == (65, 10)
    # Without an override the user's profile setting still applies.
    assert AWSClients(_Session()).retrier.settings.throttle.attempts == 7
