"""The botocore wrappers: error translation, "not found" answers, ARNs, policies."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import pytest

from chalice.aws.errors import AWSError, is_read_operation
from chalice.aws.iam import parse_policy
from chalice.aws.session import AWSClients


@pytest.fixture
def clients(aws_env: str) -> AWSClients:
    import botocore.session

    return AWSClients(botocore.session.Session(), sleep=lambda _s: None)


def test_parse_policy_accepts_every_form_iam_returns() -> None:
    doc = {"Version": "2012-10-17", "Statement": []}
    assert parse_policy(doc) == doc
    assert parse_policy(json.dumps(doc)) == doc
    assert parse_policy(urllib.parse.quote(json.dumps(doc))) == doc


def test_read_operations() -> None:
    assert is_read_operation("GetFunction") and is_read_operation("ListTargetsByRule")
    assert not is_read_operation("CreateFunction") and not is_read_operation("PutRolePolicy")


def test_identity_and_arns(clients: AWSClients) -> None:
    assert clients.region == "us-west-2" and clients.partition == "aws"
    assert clients.dns_suffix == "amazonaws.com"
    assert clients.account_id == "123456789012"
    assert clients.arn("lambda", "function:f") == "arn:aws:lambda:us-west-2:123456789012:function:f"
    assert clients.arn("iam", "role/r", region=False) == "arn:aws:iam::123456789012:role/r"


def test_missing_things_are_none_and_deletes_are_idempotent(clients: AWSClients) -> None:
    assert clients.iam.get_role("nope") is None
    assert clients.lambda_.get_function("nope") is None
    assert clients.lambda_.get_policy_statements("nope") == []
    assert clients.logs.get_log_group("/aws/lambda/nope") is None
    assert clients.events.describe_rule("nope") is None
    assert clients.iam.delete_role("nope") is False
    assert clients.lambda_.delete_function("nope") is False


def test_errors_are_translated(clients: AWSClients) -> None:
    with pytest.raises(AWSError) as err:
        clients.iam.put_role_policy("nope", "p", {"Version": "2012-10-17", "Statement": []})
    assert err.value.service == "iam" and err.value.operation == "PutRolePolicy"
    assert err.value.code == "NoSuchEntity"


def test_role_round_trip(clients: AWSClients) -> None:
    trust: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    arn = clients.iam.create_role("r1", trust_policy=trust, tags={"chalice:app": "a"})
    assert arn.endswith(":role/r1")
    role = clients.iam.get_role("r1")
    assert role is not None and parse_policy(role["AssumeRolePolicyDocument"]) == trust
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }
    clients.iam.put_role_policy("r1", "r1", policy)
    assert clients.iam.get_role_policy("r1", "r1") == policy
    assert clients.iam.delete_role("r1") is True
    assert clients.iam.get_role("r1") is None
