"""Policy evaluation and JWT decoding of the local authorizer emulation; module doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

from chalice.local.authorizers import decode_jwt_claims, method_arn, policy_allows
from chalice.local.context import LambdaContext

ARN = method_arn("GET", "/users/42", stage="api")


def statement(
    effect: str, resource: object, action: object = "execute-api:Invoke"
) -> dict[str, object]:
    return {"Effect": effect, "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    ("statements", "allowed"),
    [
        ([statement("Allow", ARN)], True),
        ([statement("Allow", [ARN.replace("GET", "*")])], True),
        ([statement("Allow", ARN.replace("42", "4?"))], True),
        ([statement("Allow", ARN.replace("42", "4"))], False),
        ([statement("Allow", ARN.rsplit("/", 2)[0] + "/*")], True),
        ([statement("Allow", ARN, action="execute-api:*")], True),
        ([statement("Allow", ARN, action=["s3:GetObject"])], False),
        ([statement("Allow", "*"), statement("Deny", ARN)], False),
        ([statement("Deny", "*")], False),
        ([], False),
    ],
)
def test_policy_allows(statements: list[dict[str, object]], allowed: bool) -> None:
    policy = {"Version": "2012-10-17", "Statement": statements}
    assert policy_allows(policy, ARN) is allowed


def test_single_statement_object_and_root_arn() -> None:
    assert policy_allows({"Statement": statement("Allow", ARN)}, ARN)
    assert method_arn("GET", "/", stage="api").endswith("/api/GET/")


def test_decode_jwt_claims() -> None:
    assert decode_jwt_claims("Bearer e30.eyJhIjogMX0.x") == {"a": 1}
    assert decode_jwt_claims("nodots") is None
    assert decode_jwt_claims("a.!!!.c") is None
    assert decode_jwt_claims("a.WzFd.c") is None  # a JSON list, not claims


def test_lambda_context_counts_down() -> None:
    now = [100.0]
    context = LambdaContext("fn", 256, 3000, clock=lambda: now[0])
    assert context.get_remaining_time_in_millis() == 3000
    now[0] += 1.5
    assert context.get_remaining_time_in_millis() == 1500
    now[0] += 10
    assert context.get_remaining_time_in_millis() == 0
    assert (context.function_version, context.invoked_function_arn) == ("$LATEST", "")
    assert (context.memory_limit_in_mb, context.identity, context.client_context) == (
        256,
        None,
        None,
    )
    assert len(context.aws_request_id) == 36


@pytest.mark.parametrize(
    "module",
    [
        "chalice.local.routing",
        "chalice.local.authorizers",
        "chalice.local.gateway",
        "chalice.local.context",
    ],
)
def test_doctests(module: str) -> None:
    result = doctest.testmod(importlib.import_module(module))
    assert result.failed == 0 and result.attempted > 0
