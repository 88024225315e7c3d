"""Bounded retry and wait policy for the AWS calls of a deploy.

Transient conditions a deploy must wait out rather than fail on:

* IAM propagation: a just-created role "cannot be assumed by Lambda" for a few
  seconds (``InvalidParameterValueException`` with that text).
* Lambda ``Pending``/``InProgress`` states and ``ResourceConflictException``
  while a previous update is still being applied.
* Throttling (``TooManyRequestsException``, ``Throttling``...), on top of what
  botocore's own "standard" retry mode already does.
* Event source mappings "in use" while they change state.

Everything is bounded (attempts and delay) and the sleep function is
injectable so tests never sleep. This module must never swallow an error that
is not transient: the last error is re-raised unchanged.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

import attrs

from chalice.aws.errors import AWSError

T = TypeVar("T")

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "ProvisionedThroughputExceededException",
    }
)


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with jitter: ``base * 2**n`` capped at ``max_delay``."""

    max_attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int) -> float:
        """The pause before attempt ``attempt + 1`` (attempt counts from 0)."""
        raw: float = min(self.max_delay, self.base_delay * (2**attempt))
        return raw * (0.5 + random.random() / 2)


# Role propagation typically takes 5-10 s; allow up to ~1 minute.
IAM_PROPAGATION = RetryPolicy(max_attempts=12, base_delay=1.0, max_delay=8.0)
DEFAULT = RetryPolicy()
NO_RETRY = RetryPolicy(max_attempts=1)


def is_throttle(err: AWSError) -> bool:
    """AWS asked us to slow down."""
    return err.code in THROTTLE_CODES


def is_role_propagation(err: AWSError) -> bool:
    """Lambda cannot assume a role yet (IAM is eventually consistent)."""
    return err.code == "InvalidParameterValueException" and "assume" in err.message.lower()


def is_conflict(err: AWSError) -> bool:
    """Lambda is still applying a previous change to the function."""
    return err.code == "ResourceConflictException" and "already exist" not in err.message


def is_in_use(err: AWSError) -> bool:
    """An event source mapping is changing state and cannot be deleted yet."""
    return err.code == "ResourceInUseException"


def transient(err: AWSError) -> bool:
    """Anything worth retrying in any deploy call."""
    return is_throttle(err) or is_conflict(err)


def call_with_retry(
    fn: Callable[[], T],
    *,
    should_retry: Callable[[AWSError], bool] = transient,
    policy: RetryPolicy = DEFAULT,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it succeeds, a non-retryable error, or attempts run out."""
    attempt = 0
    while True:
        try:
            return fn()
        except AWSError as err:
            attempt += 1
            if attempt >= policy.max_attempts or not should_retry(err):
                raise
            sleep(policy.delay(attempt - 1))


class WaitTimeout(Exception):
    """``wait_until`` gave up; carries what it was waiting for."""


def wait_until(
    check: Callable[[], bool],
    *,
    what: str,
    policy: RetryPolicy = RetryPolicy(max_attempts=60, base_delay=0.25, max_delay=5.0),
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll ``check`` until it returns True, bounded by ``policy``."""
    for attempt in range(policy.max_attempts):
        if check():
            return
        sleep(policy.delay(attempt))
    raise WaitTimeout(f"timed out waiting for {what}")
