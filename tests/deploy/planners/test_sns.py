"""Decisions of the SNS subscription planner (chalice/deploy/resources/sns.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields, fn_arn


@pytest.fixture
def w(tmp_path: Path) -> World:
    world = World(tmp_path)
    world.aws.sns.create_topic("alerts")
    world.aws.sns.create_topic("alarms")
    return world


def subscription(w: World, topic: str = "alerts") -> tuple[Any, ...]:
    fn = w.function("snsfn")
    return fn, models.SNSLambdaSubscription("snsfn-sns-subscription", topic, fn)


def topic_arn(name: str) -> str:
    return f"arn:aws:sns:us-west-2:123456789012:{name}"


def test_create_subscribes_and_allows_sns(w: World) -> None:
    steps = w.deploy(*subscription(w))
    assert steps[1].action is Action.CREATE
    [sub] = w.aws.sns.subscriptions[topic_arn("alerts")]
    assert sub["Endpoint"] == fn_arn("demo-dev-snsfn")
    [perm] = w.aws.lambda_.policies["demo-dev-snsfn"]
    assert perm["Principal"] == {"Service": "sns.amazonaws.com"}
    assert w.state.get("snsfn-sns-subscription") == {
        "name": "snsfn-sns-subscription",
        "resource_type": "sns_event",
        "topic": "alerts",
        "lambda_arn": fn_arn("demo-dev-snsfn"),
        "subscription_arn": sub["SubscriptionArn"],
        "topic_arn": topic_arn("alerts"),
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*subscription(w))
    w.quiet(*subscription(w))


def test_topic_given_as_arn_is_the_same_subscription(w: World) -> None:
    w.deploy(*subscription(w))
    w.quiet(*subscription(w, topic_arn("alerts")))


def test_missing_permission_is_restored_without_resubscribing(w: World) -> None:
    w.deploy(*subscription(w))
    w.aws.lambda_.policies["demo-dev-snsfn"].clear()
    w.aws.log.clear()
    steps = w.deploy(*subscription(w))
    assert steps[1].action is Action.UPDATE and changed_fields(steps[1]) == {"permission"}
    assert w.aws.log.ops(mutating=True) == ["lambda:AddPermission"]


def test_topic_change_replaces_the_subscription(w: World) -> None:
    w.deploy(*subscription(w))
    steps = w.deploy(*subscription(w, "alarms"))
    assert steps[1].action is Action.UPDATE and "topic_arn" in changed_fields(steps[1])
    assert w.aws.sns.subscriptions[topic_arn("alerts")] == []
    assert len(w.aws.sns.subscriptions[topic_arn("alarms")]) == 1


def test_subscription_made_before_a_crash_is_adopted(w: World) -> None:
    w.deploy(*subscription(w))
    w.forget("snsfn-sns-subscription")
    w.quiet(*subscription(w))
    assert len(w.aws.sns.subscriptions[topic_arn("alerts")]) == 1


def test_delete_unsubscribes_and_removes_the_permission(w: World) -> None:
    w.deploy(*subscription(w))
    w.aws.log.clear()
    w.delete("snsfn-sns-subscription")
    assert w.aws.log.ops(mutating=True) == ["sns:Unsubscribe", "lambda:RemovePermission"]
    assert w.aws.sns.subscriptions[topic_arn("alerts")] == []
