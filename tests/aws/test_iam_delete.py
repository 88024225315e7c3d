"""Role deletion against moto: two calls when we know the policies, correct when we don't.

IAM refuses DeleteRole while the role still has inline or attached managed
policies (DeleteConflict, "Cannot delete entity, must delete policies
first.", https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html);
moto enforces the same.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from chalice.aws.session import AWSClients
from tests.aws.counting import Counting, counted_clients

TRUST: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "lambda.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "logs:*", "Resource": "*"}],
}


@pytest.fixture
def counted(aws_env: str) -> tuple[Counting, AWSClients]:
    return counted_clients("iam")


@pytest.fixture
def counting(counted: tuple[Counting, AWSClients]) -> Counting:
    return counted[0]


@pytest.fixture
def clients(counted: tuple[Counting, AWSClients]) -> AWSClients:
    return counted[1]


def _role(clients: AWSClients, name: str) -> None:
    clients.iam.create_role(name, trust_policy=TRUST, tags=None)
    clients.iam.put_role_policy(name, name, POLICY)


def test_known_inline_policy_costs_two_serial_calls(counting: Counting, clients: AWSClients) -> None:
    _role(clients, "del-fast")
    counting.ops.clear()
    assert clients.iam.delete_role("del-fast", inline_policies=["del-fast"]) is True
    assert counting.ops == ["DeleteRolePolicy", "DeleteRole"]
    assert clients.iam.get_role("del-fast") is None


def test_policies_someone_else_added_are_removed_after_delete_conflict(
    counting: Counting, clients: AWSClients
) -> None:
    _role(clients, "del-extra")
    iam = clients.client("iam")
    iam.put_role_policy(RoleName="del-extra", PolicyName="by-hand", PolicyDocument=json.dumps(POLICY))
    arn = iam.create_policy(PolicyName="del-extra-managed", PolicyDocument=json.dumps(POLICY))[
        "Policy"
    ]["Arn"]
    iam.attach_role_policy(RoleName="del-extra", PolicyArn=arn)
    counting.ops.clear()
    assert clients.iam.delete_role("del-extra", inline_policies=["del-extra"]) is True
    ops = list(counting.ops)
    assert clients.iam.get_role("del-extra") is None
    assert ops[:2] == ["DeleteRolePolicy", "DeleteRole"]  # refused: DeleteConflict
    assert sorted(ops[2:4]) == ["ListAttachedRolePolicies", "ListRolePolicies"]
    assert sorted(ops[4:6]) == ["DeleteRolePolicy", "DetachRolePolicy"]
    assert ops[6:] == ["DeleteRole"]


def test_a_role_already_gone_counts_as_deleted(clients: AWSClients) -> None:
    assert clients.iam.delete_role("never-made", inline_policies=["never-made"]) is False
    assert clients.iam.delete_role("never-made") is False


def test_without_known_policies_the_role_is_emptied_first(counting: Counting, clients: AWSClients) -> None:
    _role(clients, "del-legacy")
    counting.ops.clear()
    assert clients.iam.delete_role("del-legacy") is True
    assert sorted(counting.ops[:2]) == ["ListAttachedRolePolicies", "ListRolePolicies"]
    assert counting.ops[2:] == ["DeleteRolePolicy", "DeleteRole"]
