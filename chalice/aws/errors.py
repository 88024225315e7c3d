"""One exception type for every failed AWS call, carrying what a user needs.

Never raised for programming errors; only for answers AWS (or the network)
gave. ``chalice.deploy`` turns it into a ``DeployError`` naming the resource.
A call that cannot work at all on this machine (no region, no or invalid
credentials, AWS unreachable) raises ``AWSSetupError`` instead: a
``UserError`` saying which call, what AWS or botocore said and how to fix the
setup, with the CLI's exit code 2, so it never escapes as a bare AWS error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalice.errors import UserError

T = TypeVar("T")

# Operation prefixes that never mutate anything (used to classify calls).
READ_PREFIXES = ("Get", "List", "Describe", "Head")


class AWSError(Exception):
    """An AWS call failed: ``service``/``operation`` and AWS's ``code``/``message``.

    ``retry_after`` is the pause AWS asked for (seconds), when it said one.
    """

    def __init__(
        self,
        *,
        service: str,
        operation: str,
        code: str,
        message: str,
        retry_after: float | None = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.retry_after = retry_after
        super().__init__(f"{service}.{operation}: {code}: {message}")


def retry_after(response: dict[str, Any]) -> float | None:
    """The pause AWS asked for in an error ``response``, in seconds, if any.

    API Gateway and Lambda send ``TooManyRequestsException`` with a
    ``retryAfterSeconds`` member (API Gateway also as the ``Retry-After``
    header); botocore puts modeled members at the top of the response.
    """
    headers = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}) or {}
    for value in (
        response.get("retryAfterSeconds"),
        response.get("RetryAfterSeconds"),
        headers.get("retry-after"),
    ):
        if value is None or value == "":
            continue
        try:
            seconds = float(value)
        except (TypeError, ValueError):
            continue  # an HTTP date: not worth parsing, the backoff applies
        if seconds >= 0:
            return seconds
    return None


# Codes AWS services use for an authorization refusal (IAM, Logs, EventBridge,
# Lambda, API Gateway's UnauthorizedException; SNS says AuthorizationError).
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError",
     "UnauthorizedException"}
)  # fmt: skip

REGION_CODES = frozenset({"NoRegionError"})
PROFILE_CODES = frozenset({"ProfileNotFound"})
CREDENTIAL_CODES = frozenset(
    {"NoCredentialsError", "PartialCredentialsError",
     "CredentialRetrievalError", "ExpiredToken", "ExpiredTokenException",
     "UnrecognizedClientException", "InvalidClientTokenId", "SignatureDoesNotMatch"}
)  # fmt: skip
CONNECTION_CODES = frozenset(
    {"EndpointConnectionError", "ConnectTimeoutError", "ReadTimeoutError",
     "ConnectionClosedError", "ProxyConnectionError", "SSLError"}
)  # fmt: skip

_SETUP_FIXES = (
    (
        REGION_CODES,
        "No AWS region is configured.",
        "set AWS_DEFAULT_REGION (for example 'export AWS_DEFAULT_REGION=us-west-2') or add "
        "'region = ...' to your profile in ~/.aws/config",
    ),
    (
        PROFILE_CODES,
        "The AWS profile does not exist.",
        "check the name given with --profile (or AWS_PROFILE, or 'profile' in "
        ".chalice/config.json) against ~/.aws/config and ~/.aws/credentials, or create it "
        "with 'aws configure --profile <name>'",
    ),
    (
        CREDENTIAL_CODES,
        "No valid AWS credentials were found.",
        "run 'aws configure', set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and "
        "AWS_SESSION_TOKEN for temporary credentials), or pick a profile with --profile "
        "or AWS_PROFILE",
    ),
    (
        CONNECTION_CODES,
        "Could not reach AWS.",
        "check your network connection and proxy settings (and AWS_ENDPOINT_URL if you set "
        "it), then run the command again",
    ),
)


class AWSSetupError(UserError):
    """An AWS call cannot work from here: no region, bad credentials, no connection.

    ``code`` is botocore's exception name or AWS's error code; exit code 2 (as
    the CLI uses for a missing region or credentials).
    """

    exit_code = 2

    def __init__(self, what: str, *, code: str, where: str | None, fix: str) -> None:
        self.code = code
        super().__init__(what, where=where, fix=fix)


def setup_error(service: str, operation: str, code: str, message: str) -> AWSSetupError | None:
    """The ``AWSSetupError`` for ``code``, or None when it is an ordinary AWS error."""
    for codes, what, fix in _SETUP_FIXES:
        if code in codes:
            return AWSSetupError(
                f"{what} {code}: {message}",
                code=code,
                where=f"the call {service}.{operation}",
                fix=fix,
            )
    return None


def is_access_denied(err: AWSError) -> bool:
    """Whether ``err`` is an authorization refusal (of any action)."""
    return err.code in ACCESS_DENIED_CODES


def is_read_operation(operation: str) -> bool:
    """True for API operations that only read (``GetFunction``, ``ListTags``...)."""
    return operation.startswith(READ_PREFIXES)


def translate(service: str, operation: str, fn: Callable[[], T]) -> T:
    """Run ``fn`` (one botocore call) turning botocore errors into ``AWSError``."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except ClientError as err:
        error: dict[str, Any] = err.response.get("Error", {})
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", "Unknown")
        code = str(error.get("Code") or status)
        message = str(error.get("Message") or err)
        if message.lstrip().startswith("<"):
            # An HTML error page (a proxy, or an emulator bug) says nothing useful.
            message = f"HTTP {status} with no error details"
        operation = getattr(err, "operation_name", None) or operation
        setup = setup_error(service, operation, code, message)
        if setup is not None:
            raise setup from err
        raise AWSError(
            service=service,
            operation=operation,
            code=code,
            message=message,
            retry_after=retry_after(err.response),
        ) from err
    except BotoCoreError as err:
        code = type(err).__name__
        setup = setup_error(service, operation, code, str(err))
        if setup is not None:
            raise setup from err
        raise AWSError(service=service, operation=operation, code=code, message=str(err)) from err
