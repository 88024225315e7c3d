"""How the CLI reports an exception that escaped a command: message and exit code.

Pure: ``describe_failure`` turns an exception into what to print and the exit code;
the click group prints it. A user error (``chalice.errors.UserError``) is shown as
its message alone; missing AWS region/credentials get instructions; anything else
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
    "No AWS credentials were found.\n"
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


def _botocore_kind(exc: BaseException) -> str | None:
    """The botocore exception class names in ``exc``'s MRO (botocore not imported)."""
    for klass in type(exc).__mro__:
        if klass.__module__.startswith("botocore."):
            if klass.__name__ in ("NoRegionError", "NoCredentialsError"):
                return klass.__name__
    return None


def describe_failure(exc: BaseException, *, debug: bool) -> Failure:
    """Turn an exception that escaped a command into a message and an exit code."""
    tb = "".join(traceback.format_exception(exc)) if debug else None
    if isinstance(exc, UserError):
        return Failure(str(exc), exc.exit_code, tb)
    kind = _botocore_kind(exc)
    if kind == "NoRegionError":
        return Failure(NO_REGION_MESSAGE, EXIT_ERROR, tb)
    if kind == "NoCredentialsError":
        return Failure(NO_CREDENTIALS_MESSAGE, EXIT_ERROR, tb)
    detail = str(exc) or "(no message)"
    return Failure(BUG_MESSAGE.format(kind=type(exc).__name__, detail=detail), EXIT_ERROR, tb)
