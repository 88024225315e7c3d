"""How the CLI reports an exception that escaped a command: message and exit code.

Pure: ``describe_failure`` turns an exception into what to print and the exit code;
the click group prints it. A user error (``chalice.errors.UserError``) is shown as
its message alone; missing AWS region/credentials and unreachable endpoints get
instructions; an error answer from AWS is shown as such (exit 1); anything else
is a bug in chalice and is reported as such. A traceback is only ever shown with
``--debug``. This module must not import botocore: AWS errors are recognised by
class name and module so that loading the CLI stays cheap.
"""

from __future__ import annotations

import dataclasses
import traceback

from chalice.errors import UserError

# Exit codes, as upstream: 2 for errors, 1 for "the operation ran and failed".
EXIT_ERROR = 2

NO_REGION_MESSAGE = (
    "No AWS region is configured.\n"
    "  how to fix: set the AWS_DEFAULT_REGION environment variable (for example "
    "'export AWS_DEFAULT_REGION=us-west-2'), or add 'region = us-west-2' to the profile "
    "in ~/.aws/config and select it with --profile or AWS_PROFILE."
)

NO_CREDENTIALS_MESSAGE = (
    "No valid AWS credentials were found.\n"
    "  how to fix: run 'aws configure', or set AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or "
    "select a configured profile with --profile or AWS_PROFILE."
)

BUG_MESSAGE = (
    "chalice failed unexpectedly with {kind}: {detail}\n"
    "This is a bug in chalice. Re-run the command with --debug "
    "(chalice --debug <command> ...) to see the traceback, and please report it."
)


@dataclasses.dataclass(frozen=True)
class Failure:
    """What to print on stderr for an escaped exception, and the process exit code."""

    message: str
    exit_code: int
    traceback: str | None = None


_REGION_CODES = frozenset({"NoRegionError"})
_CREDENTIAL_CODES = frozenset(
    {"NoCredentialsError", "PartialCredentialsError", "ExpiredToken", "ExpiredTokenException",
     "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"}
)  # fmt: skip
_CONNECTION_CODES = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError",
     "ProxyConnectionError", "SSLError"}
)  # fmt: skip

CONNECTION_MESSAGE = (
    "Could not reach AWS: {detail}\n"
    "  how to fix: check your network connection and proxy settings (and AWS_ENDPOINT_URL "
    "if you set it), then run the command again."
)
AWS_ERROR_MESSAGE = "An AWS call failed: {detail}"
OS_ERROR_MESSAGE = (
    "Cannot use {path}: {reason}.\n"
    "  how to fix: check that the path exists and is a file or directory as the command "
    "expects, that you may read or write it, and that the disk is not full."
)


def _class_names(exc: BaseException, module_prefix: str) -> set[str]:
    return {k.__name__ for k in type(exc).__mro__ if k.__module__.startswith(module_prefix)}


def _aws_code(exc: BaseException) -> tuple[str, str] | None:
    """(code, detail) for botocore errors and chalice.aws.AWSError, without importing either."""
    if "AWSError" in _class_names(exc, "chalice.aws"):
        return str(getattr(exc, "code", "")), str(exc)
    names = _class_names(exc, "botocore.")
    if not names:
        return None
    response = getattr(exc, "response", None)
    if "ClientError" in names and isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", "ClientError")), str(exc)
    for name in (*_REGION_CODES, *_CREDENTIAL_CODES, *_CONNECTION_CODES):
        if name in names:
            return name, str(exc)
    return type(exc).__name__, str(exc)


def describe_failure(exc: BaseException, *, debug: bool) -> Failure:
    """Turn an exception that escaped a command into a message and an exit code."""
    tb = "".join(traceback.format_exception(exc)) if debug else None
    if isinstance(exc, UserError):
        return Failure(str(exc), exc.exit_code, tb)
    aws = _aws_code(exc)
    if aws is not None:
        code, detail = aws
        if code in _REGION_CODES:
            return Failure(NO_REGION_MESSAGE, EXIT_ERROR, tb)
        if code in _CREDENTIAL_CODES:
            return Failure(f"{NO_CREDENTIALS_MESSAGE}\n  AWS said: {detail}", EXIT_ERROR, tb)
        if code in _CONNECTION_CODES:
            return Failure(CONNECTION_MESSAGE.format(detail=detail), EXIT_ERROR, tb)
        # AWS answered with an error (access denied, limits...): not a chalice bug.
        return Failure(AWS_ERROR_MESSAGE.format(detail=detail), 1, tb)
    if isinstance(exc, OSError) and exc.filename is not None:
        # A path the user gave (or their disk) refused an operation: a wrong
        # path, missing permissions, a full disk. Say which path; not a bug.
        return Failure(OS_ERROR_MESSAGE.format(
            path=exc.filename, reason=exc.strerror or type(exc).__name__
        ), EXIT_ERROR, tb)  # fmt: skip
    detail = str(exc) or "(no message)"
    return Failure(BUG_MESSAGE.format(kind=type(exc).__name__, detail=detail), EXIT_ERROR, tb)
