"""Lambda's transient states are waited out by the wrapper (issue 4, point 5):
a role not yet assumable, ``Pending``/``InProgress``, ``ResourceConflictException``
and throttling; ``State: Failed`` stops the wait with AWS's reason (issue 9).
A small fake client stands in for botocore's; nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.aws.lambda_ import FunctionFailedError, Lambda


def _client_error(code: str, message: str, op: str) -> Exception:
    from botocore.exceptions import ClientError

    err: Exception = ClientError({"Error": {"Code": code, "Message": message}}, op)
    return err


class FakeLambdaClient:
    """Answers each operation from a script: an exception is raised, a dict returned."""

    def __init__(self, **scripts: list[Any]) -> None:
        self._scripts: dict[str, Iterator[Any]] = {k: iter(v) for k, v in scripts.items()}
        self.calls: list[str] = []

    def _next(self, op: str) -> dict[str, Any]:
        self.calls.append(op)
        answer = next(self._scripts[op])
        if isinstance(answer, Exception):
            raise answer
        return dict(answer)

    def create_function(self, **kw: Any) -> dict[str, Any]:
        return self._next("create_function")

    def update_function_code(self, **kw: Any) -> dict[str, Any]:
        return self._next("update_function_code")

    def update_function_configuration(self, **kw: Any) -> dict[str, Any]:
        return self._next("update_function_configuration")

    def get_function_configuration(self, **kw: Any) -> dict[str, Any]:
        return self._next("get_function_configuration")


ROLE_NOT_READY = _client_error(
    "InvalidParameterValueException",
    "The role defined for the function cannot be assumed by Lambda.",
    "CreateFunction",
)


def test_create_waits_for_role_propagation_then_for_active() -> None:
    client = FakeLambdaClient(
        create_function=[ROLE_NOT_READY, ROLE_NOT_READY, {"FunctionName": "f", "State": "Pending"}],
        get_function_configuration=[{"State": "Pending"}, {"State": "Active"}],
    )
    sleeps: list[float] = []
    lam = Lambda(client, sleep=sleeps.append)
    resp = lam.create_function({"FunctionName": "f"}, b"zip")
    # The wrapper does not wait on its own: the caller records the function first.
    assert client.calls == ["create_function"] * 3
    lam.wait_ready("f", resp)
    assert client.calls == [
        "create_function",
        "create_function",
        "create_function",
        "get_function_configuration",
        "get_function_configuration",
    ]
    assert len(sleeps) == 3  # two retries of the create, one wait for Active


def test_update_waits_out_conflicts_throttling_and_in_progress() -> None:
    client = FakeLambdaClient(
        update_function_code=[
            _client_error("ResourceConflictException", "An update is in progress", "X"),
            _client_error("TooManyRequestsException", "Rate exceeded", "X"),
            {"LastUpdateStatus": "InProgress"},
        ],
        get_function_configuration=[
            {"LastUpdateStatus": "InProgress"},
            {"LastUpdateStatus": "Successful"},
        ],
        update_function_configuration=[{"LastUpdateStatus": "Successful"}],
    )
    sleeps: list[float] = []
    lam = Lambda(client, sleep=sleeps.append)
    lam.update_code("f", b"zip", architecture="x86_64")
    lam.update_configuration("f", {"MemorySize": 256})
    assert client.calls == [
        "update_function_code",
        "update_function_code",
        "update_function_code",
        "get_function_configuration",
        "get_function_configuration",
        "update_function_configuration",
    ]
    assert len(sleeps) == 3


def test_a_real_error_is_not_retried() -> None:
    client = FakeLambdaClient(
        create_function=[_client_error("InvalidParameterValueException", "bad memory", "X")]
    )
    with pytest.raises(AWSError, match="bad memory"):
        Lambda(client, sleep=lambda _s: None).create_function({"FunctionName": "f"}, b"zip")
    assert client.calls == ["create_function"]


@pytest.mark.parametrize(
    ("config", "field", "code", "reason"),
    [
        (
            {
                "FunctionName": "f",
                "State": "Failed",
                "StateReasonCode": "SubnetOutOfIPAddresses",
                "StateReason": "All subnets have no free IP addresses.",
            },
            "State",
            "SubnetOutOfIPAddresses",
            "All subnets have no free IP addresses.",
        ),
        (
            {
                "FunctionName": "f",
                "State": "Active",
                "LastUpdateStatus": "Failed",
                "LastUpdateStatusReasonCode": "InvalidSecurityGroup",
                "LastUpdateStatusReason": "The security group sg-1 does not exist.",
            },
            "LastUpdateStatus",
            "InvalidSecurityGroup",
            "The security group sg-1 does not exist.",
        ),
    ],
)
def test_failed_is_not_ready(config: dict[str, Any], field: str, code: str, reason: str) -> None:
    client = FakeLambdaClient(get_function_configuration=[{"State": "Pending"}, config])
    with pytest.raises(FunctionFailedError) as info:
        Lambda(client, sleep=lambda _s: None).wait_ready("f", {"State": "Pending"})
    text = str(info.value)
    assert f"{field} is Failed ({code}): {reason}" in text
    assert "where: Lambda function 'f'" in text and "how to fix:" in text
    assert info.value.exit_code == 1
    assert client.calls == ["get_function_configuration"] * 2


def test_a_failed_update_stops_at_once() -> None:
    client = FakeLambdaClient(
        update_function_code=[
            {
                "FunctionName": "f",
                "LastUpdateStatus": "Failed",
                "LastUpdateStatusReasonCode": "InvalidZipFileException",
                "LastUpdateStatusReason": "Could not unzip uploaded file.",
            }
        ]
    )
    with pytest.raises(FunctionFailedError, match="Could not unzip"):
        Lambda(client, sleep=lambda _s: None).update_code("f", b"zip", architecture="x86_64")
    assert client.calls == ["update_function_code"]
