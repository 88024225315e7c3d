"""Decisions of the role planner (chalice/deploy/resources/iam.py)."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.e2e import models_kit
from tests.deploy.planners.kit import World, changed_fields

ARN = "arn:aws:iam::123456789012:role/demo-dev"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def role(actions: tuple[str, ...] = ("logs:*",)) -> models.ManagedIAMRole:
    doc = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    return models_kit.role("demo", "dev", doc)


def test_create_when_absent_tagged_with_its_policy(w: World) -> None:
    [step] = w.deploy(role())
    assert step.action is Action.CREATE
    assert w.aws.log.ops(mutating=True) == ["iam:CreateRole", "iam:PutRolePolicy"]
    tags = {t["Key"]: t["Value"] for t in w.aws.iam.roles["demo-dev"]["Tags"]}
    assert tags["chalice:resource"] == "default-role"
    assert w.state.get("default-role") == {
        "name": "default-role",
        "resource_type": "iam_role",
        "role_name": "demo-dev",
        "role_arn": ARN,
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(role())
    w.quiet(role())


def test_policy_change_puts_the_policy_only(w: World) -> None:
    w.deploy(role())
    w.aws.log.clear()
    [step] = w.deploy(role(("logs:*", "s3:GetObject")))
    assert step.action is Action.UPDATE and changed_fields(step) == {"policy"}
    assert w.aws.log.ops(mutating=True) == ["iam:PutRolePolicy"]


def test_trust_change_updates_the_trust_policy_only(w: World) -> None:
    w.deploy(role())
    w.aws.log.clear()
    trust = {**models_kit.TRUST, "Statement": [*models_kit.TRUST["Statement"]] * 1}
    trust["Statement"] = [{**trust["Statement"][0], "Principal": {"Service": "edge.amazonaws.com"}}]
    [step] = w.deploy(attrs.evolve(role(), trust_policy=trust))
    assert changed_fields(step) == {"trust_policy"}
    assert w.aws.log.ops(mutating=True) == ["iam:UpdateAssumeRolePolicy"]


def test_role_created_before_a_crash_is_adopted(w: World) -> None:
    w.deploy(role())
    w.forget("default-role")
    [step] = w.quiet(role())
    assert step.recorded == {"role_name": "demo-dev", "role_arn": ARN}


def test_delete_removes_policies_then_role(w: World) -> None:
    w.deploy(role())
    w.aws.log.clear()
    w.delete("default-role")
    assert w.aws.log.ops(mutating=True) == ["iam:DeleteRolePolicy", "iam:DeleteRole"]
    assert w.aws.iam.roles == {}
