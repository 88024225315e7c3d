"""The shared part of the fake services: the call log, errors, ids and refusals.

Every fake method logs its call (AWS operation name + parameters, and
whether the operation mutates) before answering, so a test can assert both
"what was asked" and "nothing was changed". Errors are the ``AWSError`` the
botocore-backed wrappers raise for the same AWS answer.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Mapping
from typing import Any

import attrs

from chalice.aws.errors import AWSError, is_read_operation

ACCOUNT = "123456789012"
REGION = "us-west-2"
PARTITION = "aws"


@attrs.frozen
class Call:
    """One call made to the fake: service, AWS operation, parameters."""

    service: str
    operation: str
    params: Mapping[str, Any]

    @property
    def mutating(self) -> bool:
        """Whether the operation changes anything (by AWS's naming)."""
        return not is_read_operation(self.operation)


class CallLog:
    """Every call to every fake service of one ``FakeAWS``, in order (thread-safe)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()
        # (service, operation) -> errors to raise, first first.
        self._refusals: dict[tuple[str, str], list[AWSError]] = {}

    def add(self, service: str, operation: str, params: Mapping[str, Any]) -> None:
        with self._lock:
            self.calls.append(Call(service, operation, dict(params)))
            queued = self._refusals.get((service, operation))
            error = queued.pop(0) if queued else None
        if error is not None:
            raise error

    def refuse(
        self, service: str, operation: str, code: str, message: str = "", *, times: int = 1
    ) -> None:
        """Make the next ``times`` calls of ``operation`` fail with ``code``."""
        err = AWSError(
            service=service, operation=operation, code=code, message=message or f"{code}"
        )
        with self._lock:
            self._refusals.setdefault((service, operation), []).extend([err] * times)

    def ops(self, *, mutating: bool | None = None) -> list[str]:
        """``service:Operation`` of each call (only mutating ones, or only reads)."""
        return [
            f"{c.service}:{c.operation}"
            for c in self.calls
            if mutating is None or c.mutating is mutating
        ]

    def mutating(self) -> list[Call]:
        """The calls that change something."""
        return [c for c in self.calls if c.mutating]

    def of(self, operation: str) -> list[Mapping[str, Any]]:
        """The parameters of each call of ``operation``."""
        return [c.params for c in self.calls if c.operation == operation]

    def clear(self) -> None:
        """Forget the calls so far (the fake's resources stay)."""
        with self._lock:
            self.calls.clear()


class FakeService:
    """Base of the fake services: logs calls, raises AWS-shaped errors, makes ids."""

    service = ""
    # The error code AWS answers for a missing resource of this service.
    not_found_code = "ResourceNotFoundException"

    def __init__(self, log: CallLog, ids: itertools.count[int]) -> None:
        self.log = log
        self._ids = ids
        self.lock = threading.RLock()

    def _log(self, operation: str, **params: Any) -> None:
        self.log.add(self.service, operation, params)

    def error(self, operation: str, code: str, message: str) -> AWSError:
        """The ``AWSError`` the wrapper raises for AWS's ``code``."""
        return AWSError(service=self.service, operation=operation, code=code, message=message)

    def missing(self, operation: str, what: str) -> AWSError:
        """AWS's "not found" answer for ``what``."""
        return self.error(operation, self.not_found_code, f"{what} not found")

    def new_id(self, length: int = 10) -> str:
        """An id shaped like API Gateway's (lower-case alphanumerics)."""
        n = next(self._ids)
        return f"{n:0{length}x}"[-length:]

    def arn(self, resource: str, *, region: bool = True, account: bool = True) -> str:
        """``arn:aws:<service>:<region>:<account>:<resource>``."""
        reg = REGION if region else ""
        acct = ACCOUNT if account else ""
        return f"arn:{PARTITION}:{self.service}:{reg}:{acct}:{resource}"
