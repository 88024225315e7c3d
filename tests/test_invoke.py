"""``chalice invoke``: payload in, result or function error out, exit codes."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from chalice import invoke
from chalice.cli import cli
from chalice.cli.context import CLIContext
from tests.cli.helpers import restore_cli_mode, write_project, write_state

ARN = "arn:aws:lambda:us-west-2:123456789012:function:demo-dev-worker"

ERROR_PAYLOAD = {
    "errorMessage": "boom",
    "errorType": "ValueError",
    "requestId": "abc",
    "stackTrace": [
        '  File "/var/task/chalice/app/_app.py", line 10, in __call__\n    return self.func(event, context)\n',
        '  File "/var/task/app.py", line 8, in worker\n    raise ValueError("boom")\n',
    ],
}


class FakeLambda:
    def __init__(
        self, response: Mapping[str, Any] | None = None, error: Exception | None = None
    ) -> None:
        self.response = response or {"StatusCode": 200, "Payload": io.BytesIO(b'{"ok": true}')}
        self.error = error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]:
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        return self.response


class FakeClientError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.response = {"Error": {"Code": code, "Message": message}}


def test_invoke_function_success() -> None:
    fake = FakeLambda()
    result = invoke.invoke_function(fake, ARN, b'{"x": 1}')
    assert result == invoke.InvokeResult(payload='{"ok": true}', function_error=None)
    assert fake.calls == [
        {"FunctionName": ARN, "InvocationType": "RequestResponse", "Payload": b'{"x": 1}'}
    ]


def test_invoke_function_without_payload() -> None:
    fake = FakeLambda()
    invoke.invoke_function(fake, ARN, None)
    assert "Payload" not in fake.calls[0]


def test_invoke_function_error_result() -> None:
    body = json.dumps(ERROR_PAYLOAD).encode()
    fake = FakeLambda(
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(body)}
    )
    result = invoke.invoke_function(fake, ARN, None)
    assert result.function_error == "Unhandled"


def test_client_error_becomes_user_error() -> None:
    fake = FakeLambda(error=FakeClientError("AccessDeniedException", "not allowed"))
    with pytest.raises(invoke.LambdaClientError) as info:
        invoke.invoke_function(fake, ARN, None)
    assert str(info.value) == "got 'AccessDeniedException' exception back from Lambda\nnot allowed"
    assert info.value.exit_code == 1


def test_read_timeout_exits_1() -> None:
    class ReadTimeoutError(Exception):
        pass

    with pytest.raises(invoke.InvokeTimeoutError) as info:
        invoke.invoke_function(FakeLambda(error=ReadTimeoutError("read timed out")), ARN, None)
    assert info.value.exit_code == 1


def test_format_function_error() -> None:
    text = invoke.format_function_error(json.dumps(ERROR_PAYLOAD))
    assert text.splitlines() == [
        "Traceback (most recent call last):",
        '  File "/var/task/chalice/app/_app.py", line 10, in __call__',
        "    return self.func(event, context)",
        '  File "/var/task/app.py", line 8, in worker',
        '    raise ValueError("boom")',
        "ValueError: boom",
    ]


def test_format_function_error_old_style_trace() -> None:
    payload = {
        "errorMessage": "x",
        "errorType": "KeyError",
        "stackTrace": [["/var/task/app.py", 3, "f", "d['k']"]],
    }
    lines = invoke.format_function_error(json.dumps(payload)).splitlines()
    assert lines[1:] == ['  File "/var/task/app.py", line 3, in f', "    d['k']", "KeyError: x"]


def test_format_function_error_passthrough() -> None:
    assert invoke.format_function_error("not json") == "not json"
    assert invoke.format_function_error('{"a": 1}') == '{"a": 1}'


def _project(root: Path) -> None:
    write_project(root, config={
        "version": "2.0", "app_name": "demo", "lambda_timeout": 42,
        "stages": {"dev": {"api_gateway_stage": "api"}},
    })  # fmt: skip
    write_state(root, [
        {"name": "worker", "resource_type": "lambda_function", "lambda_arn": ARN},
    ])  # fmt: skip


def _run(root: Path, fake: FakeLambda, args: list[str], stdin: str = "") -> Any:
    made: list[tuple[str, dict[str, Any]]] = []

    def clients(service: str, **kwargs: Any) -> Any:
        made.append((service, kwargs))
        return fake

    obj = CLIContext(project_dir=root, clients=clients)
    result = CliRunner().invoke(cli, ["--project-dir", str(root), *args], input=stdin, obj=obj)
    return result, made


def test_cli_invoke_success(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    fake = FakeLambda()
    result, made = _run(tmp_path, fake, ["invoke", "-n", "worker"], stdin='{"hello": "world"}')
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == '{"ok": true}'
    assert fake.calls[0]["Payload"] == b'{"hello": "world"}'
    # Read timeout follows the function's timeout; never retried (it would run twice).
    assert made == [("lambda", {"profile": None, "read_timeout": 47, "max_attempts": 0})]


def test_cli_invoke_function_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    body = json.dumps(ERROR_PAYLOAD).encode()
    fake = FakeLambda(
        {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(body)}
    )
    result, _ = _run(tmp_path, fake, ["invoke", "-n", "worker"])
    assert result.exit_code == 1
    assert "ValueError: boom" in result.stderr
    assert 'File "/var/task/app.py", line 8, in worker' in result.stderr
    assert result.stderr.strip().endswith("Unhandled exception in Lambda function, details above.")


def test_cli_invoke_client_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    fake = FakeLambda(error=FakeClientError("TooManyRequestsException", "slow down"))
    result, _ = _run(tmp_path, fake, ["invoke", "-n", "worker"])
    assert result.exit_code == 1
    assert "got 'TooManyRequestsException' exception back from Lambda\nslow down" in result.stderr


def test_cli_invoke_unknown_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    result, made = _run(tmp_path, FakeLambda(), ["invoke", "-n", "nope"])
    assert result.exit_code == 2
    assert "could not find a lambda function named nope." in result.stderr
    assert made == []


def test_cli_invoke_against_moto_missing_function(
    aws_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The emulator does not run code; a function recorded in the state but gone
    # from AWS exercises the real botocore error path.
    monkeypatch.chdir(tmp_path)
    _project(tmp_path)
    result = CliRunner().invoke(cli, ["invoke", "-n", "worker"], input="{}")
    assert result.exit_code == 1, result.output
    assert "got 'ResourceNotFoundException' exception back from Lambda" in result.stderr


# An autouse fixture: importing it activates it in this module.
__all__ = ["restore_cli_mode"]
