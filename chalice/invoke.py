"""``chalice invoke``: call a deployed Lambda function once and show what it returned.

The Lambda client is injected (the ``chalice.aws`` Lambda wrapper, which
never retries an invoke, or a test fake), so this module never imports
botocore. A function error is shown as its stack trace plus ``Type: message``
and becomes ``UnhandledLambdaError``; an AWS error becomes
``LambdaClientError``. Both exit 1, as upstream does.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import attrs

from chalice.aws.errors import AWSError
from chalice.errors import UserError


class LambdaClient(Protocol):
    """The one Lambda call we need (botocore client method signature)."""

    def invoke(self, **kwargs: Any) -> Mapping[str, Any]:
        """Invoke a function synchronously."""
        ...


class UnknownFunctionError(UserError):
    """No deployed Lambda function has that name in this stage."""

    exit_code = 2


class LambdaClientError(UserError):
    """Lambda refused the invoke call (AccessDenied, throttling, bad payload...)."""

    exit_code = 1


class UnhandledLambdaError(UserError):
    """The function raised; its stack trace has already been printed."""

    exit_code = 1


class InvokeTimeoutError(UserError):
    """No answer from Lambda within the function's timeout."""

    exit_code = 1


@attrs.frozen
class InvokeResult:
    """What came back: the payload text, and the error kind if the function failed."""

    payload: str
    function_error: str | None = None


def unknown_function(
    name: str, *, stage: str | None = None, deployed: Sequence[str] | None = None
) -> UnknownFunctionError:
    """The error for a name that is not in the deployed state.

    The first line is upstream's message; with ``stage`` and ``deployed`` (the
    function names recorded for the stage) it also says where we looked and
    which names would work, or that the stage was never deployed.
    """
    if stage is None:
        return UnknownFunctionError(f"could not find a lambda function named {name}.")
    where = f".chalice/deployed/{stage}.json (stage '{stage}')"
    if deployed:
        fix = f"use one of the deployed names: {', '.join(sorted(deployed))}"
    else:
        fix = (
            f"nothing is deployed in stage '{stage}': run 'chalice deploy --stage {stage}' "
            "first, or pass the --stage you deployed"
        )
    return UnknownFunctionError(
        f"could not find a lambda function named {name}.", where=where, fix=fix
    )


def _timeout(exc: Exception) -> InvokeTimeoutError:
    return InvokeTimeoutError(
        f"Timed out waiting for Lambda to answer: {exc}",
        fix="The function may still be running; check 'chalice logs' for its output.",
    )


def invoke_function(client: LambdaClient, function_arn: str, payload: bytes | None) -> InvokeResult:
    """Invoke ``function_arn`` with ``payload``; AWS errors become ``LambdaClientError``."""
    kwargs: dict[str, Any] = {"FunctionName": function_arn, "InvocationType": "RequestResponse"}
    if payload is not None:
        kwargs["Payload"] = payload
    try:
        response = client.invoke(**kwargs)
    except AWSError as exc:  # what the chalice.aws wrapper raises
        if exc.code == "ReadTimeoutError":
            raise _timeout(exc) from exc
        raise LambdaClientError(
            f"got '{exc.code}' exception back from Lambda\n{exc.message}"
        ) from exc
    except Exception as exc:
        # A client with botocore's own errors (ClientError carries ``response``).
        error = getattr(exc, "response", None)
        if isinstance(error, Mapping) and "Error" in error:
            code = error["Error"].get("Code", "Unknown")
            message = error["Error"].get("Message", "")
            raise LambdaClientError(f"got '{code}' exception back from Lambda\n{message}") from exc
        if type(exc).__name__ in ("ReadTimeoutError", "ConnectTimeoutError"):
            raise _timeout(exc) from exc
        raise
    body = response.get("Payload", b"")
    raw = body.read() if hasattr(body, "read") else body
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return InvokeResult(payload=text, function_error=response.get("FunctionError"))


def format_stack_trace(trace: Sequence[Any]) -> list[str]:
    """Stack trace lines from Lambda's ``stackTrace`` (strings, or [file, line, func, code])."""
    lines: list[str] = []
    for frame in trace:
        if isinstance(frame, str):
            lines.extend(line for line in frame.rstrip("\n").split("\n"))
        elif isinstance(frame, Sequence) and len(frame) == 4:
            filename, lineno, func, code = frame
            lines.append(f'  File "{filename}", line {lineno}, in {func}')
            if code:
                lines.append(f"    {code}")
    return lines


def format_function_error(payload: str) -> str:
    """Lambda's error payload as a Python-style traceback, or the payload unchanged."""
    try:
        data = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(data, dict) or "errorMessage" not in data and "errorType" not in data:
        return payload
    lines = []
    trace = data.get("stackTrace") or []
    if trace:
        lines.append("Traceback (most recent call last):")
        lines.extend(format_stack_trace(trace))
    kind = data.get("errorType", "Error")
    message = data.get("errorMessage", "")
    lines.append(f"{kind}: {message}" if message else str(kind))
    return "\n".join(lines)


def unhandled_error() -> UnhandledLambdaError:
    """Raised after the function's traceback has been printed."""
    return UnhandledLambdaError("Unhandled exception in Lambda function, details above.")
