"""One exception type for every failed AWS call, carrying what a user needs.

Never raised for programming errors; only for answers AWS (or the network)
gave. ``chalice.deploy`` turns it into a ``DeployError`` naming the resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# Operation prefixes that never mutate anything (used to classify calls).
READ_PREFIXES = ("Get", "List", "Describe", "Head")


class AWSError(Exception):
    """An AWS call failed: ``service``/``operation`` and AWS's ``code``/``message``."""

    def __init__(self, *, service: str, operation: str, code: str, message: str) -> None:
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        super().__init__(f"{service}.{operation}: {code}: {message}")


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
        raise AWSError(service=service, operation=operation, code=code, message=message) from err
    except BotoCoreError as err:
        raise AWSError(
            service=service, operation=operation, code=type(err).__name__, message=str(err)
        ) from err
