"""Retry/wait policy: transient errors are waited out, bounded; others raise at once."""

from __future__ import annotations

import pytest

from chalice.aws import retry
from chalice.aws.errors import AWSError


def _err(code: str, message: str = "") -> AWSError:
    return AWSError(service="lambda", operation="CreateFunction", code=code, message=message)


def test_role_propagation_is_retried_until_success() -> None:
    sleeps: list[float] = []
    attempts = iter(
        [
            _err(
                "InvalidParameterValueException",
                "The role defined for the function cannot be assumed by Lambda.",
            )
        ]
        * 3
    )

    def call() -> str:
        for e in attempts:
            raise e
        return "ok"

    assert (
        retry.call_with_retry(
            call,
            should_retry=retry.is_role_propagation,
            policy=retry.IAM_PROPAGATION,
            sleep=sleeps.append,
        )
        == "ok"
    )
    assert len(sleeps) == 3 and all(0 < s <= retry.IAM_PROPAGATION.max_delay for s in sleeps)


def test_bounded() -> None:
    sleeps: list[float] = []

    def call() -> None:
        raise _err("TooManyRequestsException")

    with pytest.raises(AWSError):
        retry.call_with_retry(call, policy=retry.RetryPolicy(max_attempts=4), sleep=sleeps.append)
    assert len(sleeps) == 3


def test_non_transient_raises_at_once() -> None:
    sleeps: list[float] = []

    def call() -> None:
        raise _err("AccessDeniedException")

    with pytest.raises(AWSError):
        retry.call_with_retry(call, sleep=sleeps.append)
    assert sleeps == []


def test_classifiers() -> None:
    assert retry.is_conflict(_err("ResourceConflictException", "An update is in progress"))
    assert not retry.is_conflict(_err("ResourceConflictException", "Function already exist"))
    assert retry.is_throttle(_err("ThrottlingException"))
    assert retry.is_in_use(_err("ResourceInUseException"))


def test_wait_until() -> None:
    states = iter([False, False, True])
    sleeps: list[float] = []
    retry.wait_until(lambda: next(states), what="x", sleep=sleeps.append)
    assert len(sleeps) == 2
    with pytest.raises(retry.WaitTimeout, match="timed out waiting for y"):
        retry.wait_until(
            lambda: False, what="y", policy=retry.RetryPolicy(max_attempts=2), sleep=sleeps.append
        )
