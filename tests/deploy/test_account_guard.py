"""Which ARNs of the state say where a stage lives, and what the guard lets through."""

from __future__ import annotations

from typing import Any

import pytest

from chalice.deploy import account_guard
from chalice.deploy.plan import KNOWN_AFTER_APPLY
from chalice.deploy.state import DeployedState
from chalice.errors import StateError

A, B = "111122223333", "444455556666"


def _state(*entries: dict[str, Any]) -> DeployedState:
    return DeployedState(resources=tuple(entries))


def _function(account: str, name: str = "f") -> dict[str, Any]:
    arn = f"arn:aws:lambda:us-west-2:{account}:function:{name}"
    return {"name": name, "resource_type": "lambda_function", "lambda_arn": arn}


class _Clients:
    def __init__(self, account: str) -> None:
        self.asked = 0
        self._account = account

    @property
    def account_id(self) -> str:
        self.asked += 1
        return self._account


def test_only_the_arns_a_deploy_made_count() -> None:
    state = _state(
        _function(A),
        {"name": "default-role", "resource_type": "iam_role", "role_name": "r",
         "role_arn": f"arn:aws-cn:iam::{A}:role/r"},
        # Another account's queue and topic are legitimate event sources.
        {"name": "on_sqs", "resource_type": "sqs_event", "queue_arn":
         f"arn:aws:sqs:us-west-2:{B}:q", "lambda_arn": f"arn:aws:lambda:us-west-2:{A}:function:f"},
        {"name": "pending", "resource_type": "lambda_function", "lambda_arn": KNOWN_AFTER_APPLY},
        {"name": "legacy", "resource_type": "lambda_function", "lambda_arn": "not-an-arn"},
    )  # fmt: skip
    assert account_guard.recorded_accounts(state) == {A}


def test_nothing_recorded_asks_nothing() -> None:
    clients = _Clients(B)
    account_guard.verify(clients, account_guard.recorded_accounts(_state()), "dev")  # type: ignore[arg-type]
    assert clients.asked == 0


def test_the_recorded_account_passes_and_any_other_stops() -> None:
    split = account_guard.recorded_accounts(_state(_function(A, "f"), _function(B, "g")))
    for account in (A, B):  # a stage already split between two: either passes
        account_guard.verify(_Clients(account), split, "dev")  # type: ignore[arg-type]
    with pytest.raises(StateError) as info:
        account_guard.verify(_Clients("999999999999"), frozenset({A}), "prod")  # type: ignore[arg-type]
    message = str(info.value)
    assert f"Stage 'prod' was deployed to AWS account {A}" in message
    assert "are for account 999999999999. Nothing was changed." in message
    assert "where: .chalice/deployed/prod.json" in message
    assert "chalice delete --stage prod" in message


class _NoIdentity:
    @property
    def account_id(self) -> str:
        raise ConnectionError("STS unreachable")


def test_a_failed_read_is_explained_by_the_mismatch_when_there_is_one() -> None:
    recorded = frozenset({A})
    denied = PermissionError("AccessDenied on lambda.GetFunction")
    explained = account_guard.explain(denied, _Clients(B), recorded, "dev")  # type: ignore[arg-type]
    assert isinstance(explained, StateError) and f"account {B}" in str(explained)
    # Same account, no account to be had, or not an error to explain: as it was.
    assert account_guard.explain(denied, _Clients(A), recorded, "dev") is denied  # type: ignore[arg-type]
    assert account_guard.explain(denied, _NoIdentity(), recorded, "dev") is denied  # type: ignore[arg-type]
    stop = KeyboardInterrupt()
    assert account_guard.explain(stop, _Clients(B), recorded, "dev") is stop  # type: ignore[arg-type]
