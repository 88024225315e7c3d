"""Lambda's transient states are waited out by the wrapper (issue 4, point 5):
a role not yet assumable, ``Pending``/``InProgress``, ``ResourceConflictException``
and throttling. A small fake client stands in for botocore's; nothing sleeps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from chalice.aws.errors import AWSError
from chalice.aws.lambda_ import Lambda


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
    Lambda(client, sleep=sleeps.append).create_function({"FunctionName": "f"}, b"zip")
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
