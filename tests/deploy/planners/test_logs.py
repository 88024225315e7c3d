"""Decisions of the log group planner (chalice/deploy/resources/logs.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields

GROUP = "/aws/lambda/demo-dev-cron"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def group(days: int = 14) -> models.LogGroup:
    return models.LogGroup("cron-log-group", GROUP, days)


def test_create_when_absent_tagged_with_retention(w: World) -> None:
    [step] = w.deploy(group())
    assert step.action is Action.CREATE
    assert w.aws.log.ops(mutating=True) == ["logs:CreateLogGroup", "logs:PutRetentionPolicy"]
    assert w.aws.logs.tags[GROUP]["chalice:resource"] == "cron-log-group"
    assert w.aws.logs.groups[GROUP]["retentionInDays"] == 14
    assert w.state.get("cron-log-group") == {
        "name": "cron-log-group",
        "resource_type": "log_group",
        "log_group_name": GROUP,
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(group())
    w.quiet(group())


def test_retention_change_updates_it(w: World) -> None:
    w.deploy(group())
    w.aws.log.clear()
    [step] = w.deploy(group(30))
    assert step.action is Action.UPDATE and changed_fields(step) == {"retention_in_days"}
    assert w.aws.log.ops(mutating=True) == ["logs:PutRetentionPolicy"]


def test_group_lambda_made_first_is_adopted_and_given_retention(w: World) -> None:
    w.aws.logs.create_log_group(GROUP, tags=None)  # Lambda's first invocation made it
    w.aws.log.clear()
    [step] = w.deploy(group())
    assert step.action is Action.UPDATE
    assert w.aws.log.ops(mutating=True) == ["logs:PutRetentionPolicy"]
    w.quiet(group())


def test_delete_keeps_the_logs(w: World) -> None:
    w.deploy(group())
    w.aws.log.clear()
    w.delete("cron-log-group")
    assert w.aws.log.ops(mutating=True) == ["logs:DeleteRetentionPolicy"]
    assert GROUP in w.aws.logs.groups and "retentionInDays" not in w.aws.logs.groups[GROUP]
