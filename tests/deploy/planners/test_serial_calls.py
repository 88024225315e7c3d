"""Calls the planners no longer make on the critical path, and the decisions kept.

Each removed call re-learned something the plan already knew: a new
function's (empty) policy, a bucket configuration the planner had just read,
the id of the one target we put on a rule, a permission on a function the same
plan deletes. Each test shows the call gone and the outcome unchanged, and
where the assumption can be wrong on AWS (a permission or a target left by
hand), that the outcome is still right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, fn_arn

KEY = "LambdaFunctionConfigurations"
RULE = "demo-dev-cron-event"
RULE_ARN = f"arn:aws:events:us-west-2:123456789012:rule/{RULE}"
TOPIC_ARN = "arn:aws:sns:us-west-2:123456789012:alerts"
OTHER = {"LambdaFunctionArn": "arn:aws:lambda:us-west-2:123456789012:function:other",
         "Events": ["s3:ObjectRemoved:*"]}  # fmt: skip


@pytest.fixture
def w(tmp_path: Path) -> World:
    world = World(tmp_path)
    world.aws.s3.create_bucket("photos")
    world.aws.s3.notifications["photos"] = {KEY: [dict(OTHER)]}
    world.aws.sns.create_topic("alerts")
    return world


def notify(w: World, fn_name: str = "s3fn", prefix: str = "images/") -> tuple[Any, ...]:
    fn = w.function(fn_name)
    event = models.S3BucketNotification(
        f"{fn_name}-s3event", "photos", ("s3:ObjectCreated:*",), prefix, None, fn
    )
    return fn, event


def schedule(w: World) -> tuple[Any, ...]:
    fn = w.function("cron")
    return fn, models.ScheduledEvent("cron-event", RULE, "rate(5 minutes)", "every 5", fn)


def subscription(w: World) -> tuple[Any, ...]:
    fn = w.function("snsfn")
    return fn, models.SNSLambdaSubscription("snsfn-sns-subscription", "alerts", fn)


def ops(w: World) -> list[str]:
    return w.aws.log.ops()


# -- a new function has no policy: AddPermission without GetPolicy -------------------------


@pytest.mark.parametrize("resources", [notify, schedule, subscription])
def test_a_new_function_gets_its_permission_without_a_policy_read(
    w: World, resources: Any
) -> None:
    fn, event = resources(w)
    w.deploy(fn, event)
    assert "lambda:GetPolicy" not in ops(w)
    assert ops(w).count("lambda:AddPermission") == 1
    assert len(w.aws.lambda_.policies[fn.function_name]) == 1
    w.quiet(fn, event)  # and the next deploy finds it in place


@pytest.mark.parametrize("resources", [notify, schedule, subscription])
def test_a_permission_found_missing_while_planning_is_added_without_a_second_read(
    w: World, resources: Any
) -> None:
    fn, event = resources(w)
    w.deploy(fn, event)
    w.aws.lambda_.policies[fn.function_name].clear()  # removed by hand
    w.aws.log.clear()
    steps = w.deploy(fn, event)
    assert steps[1].action is Action.UPDATE
    assert ops(w).count("lambda:GetPolicy") == 1  # the planner's read only
    assert len(w.aws.lambda_.policies[fn.function_name]) == 1


def test_a_new_rule_on_an_existing_function_still_reads_its_policy(w: World) -> None:
    # The rule was deleted by hand but the permission is there: no second statement.
    fn, rule = schedule(w)
    w.deploy(fn, rule)
    del w.aws.events.rules[RULE]
    w.aws.events.targets.pop(RULE, None)
    w.aws.log.clear()
    w.deploy(fn, rule)
    assert "lambda:GetPolicy" in ops(w)
    assert "lambda:AddPermission" not in ops(w)
    assert len(w.aws.lambda_.policies["demo-dev-cron"]) == 1


# -- S3: the planner's read of the bucket configuration is the write's base ----------------


def test_the_bucket_configuration_is_read_once_per_deploy(w: World) -> None:
    w.deploy(*notify(w))
    assert ops(w).count("s3:GetBucketNotificationConfiguration") == 1
    assert OTHER in w.aws.s3.notifications["photos"][KEY]


def test_two_handlers_on_one_bucket_both_stay(w: World) -> None:
    a_fn, a_event = notify(w, "first", prefix="a/")
    b_fn, b_event = notify(w, "second", prefix="b/")
    w.deploy(a_fn, b_fn, a_event, b_event)
    arns = [e["LambdaFunctionArn"] for e in w.aws.s3.notifications["photos"][KEY]]
    assert sorted(arns) == sorted(
        [OTHER["LambdaFunctionArn"], fn_arn("demo-dev-first"), fn_arn("demo-dev-second")]
    )
    assert ops(w).count("s3:GetBucketNotificationConfiguration") == 1
    w.quiet(a_fn, b_fn, a_event, b_event)


def test_deleting_two_handlers_of_one_bucket_keeps_the_rest(w: World) -> None:
    a_fn, a_event = notify(w, "first", prefix="a/")
    b_fn, b_event = notify(w, "second", prefix="b/")
    w.deploy(a_fn, b_fn, a_event, b_event)
    w.aws.log.clear()
    w.delete("first-s3event", "second-s3event")
    assert w.aws.s3.notifications["photos"] == {KEY: [OTHER]}
    assert ops(w).count("s3:GetBucketNotificationConfiguration") == 1


# -- deletes: what the function's own deletion does anyway ---------------------------------


def test_s3_delete_leaves_the_permission_to_the_function_deletion(w: World) -> None:
    w.deploy(*notify(w))
    w.aws.log.clear()
    w.delete("s3fn-s3event", "s3fn")
    assert w.aws.log.ops(mutating=True) == [
        "s3:PutBucketNotificationConfiguration",
        "lambda:DeleteFunction",
    ]
    assert "lambda:GetPolicy" not in ops(w)
    assert w.aws.s3.notifications["photos"] == {KEY: [OTHER]}


def test_sns_delete_leaves_the_permission_to_the_function_deletion(w: World) -> None:
    w.deploy(*subscription(w))
    w.aws.log.clear()
    w.delete("snsfn-sns-subscription", "snsfn")
    assert ops(w) == ["sns:Unsubscribe", "lambda:DeleteFunction"]
    assert w.aws.sns.subscriptions[TOPIC_ARN] == []


def test_a_kept_function_loses_the_permission(w: World) -> None:
    # Only the subscription goes (the handler was removed from the app, not the function).
    w.deploy(*subscription(w))
    w.aws.log.clear()
    w.delete("snsfn-sns-subscription")
    assert w.aws.log.ops(mutating=True) == ["sns:Unsubscribe", "lambda:RemovePermission"]
    assert w.aws.lambda_.policies["demo-dev-snsfn"] == []


# -- rules: our target removed by its id ---------------------------------------------------


def test_rule_delete_removes_our_target_without_listing(w: World) -> None:
    w.deploy(*schedule(w))
    w.aws.log.clear()
    w.delete("cron-event")
    assert ops(w) == ["events:RemoveTargets", "events:DeleteRule"]
    assert w.aws.log.of("RemoveTargets") == [{"Rule": RULE, "Ids": ["1"]}]
    assert w.aws.events.rules == {}


def test_rule_delete_with_a_target_added_by_hand_still_deletes(w: World) -> None:
    w.deploy(*schedule(w))
    w.aws.events.put_target(RULE, target_id="by-hand", arn="arn:aws:sqs:us-west-2:1:q")
    w.aws.log.clear()
    w.delete("cron-event")
    assert w.aws.events.rules == {}
    assert ops(w)[-3:] == ["events:ListTargetsByRule", "events:RemoveTargets", "events:DeleteRule"]


def test_a_rule_is_recorded_even_when_its_permission_is_refused(w: World) -> None:
    fn, rule = schedule(w)
    w.deploy(fn)
    w.aws.log.refuse("lambda", "AddPermission", "AccessDeniedException")
    steps = w.round(fn, rule)
    with pytest.raises(Exception, match="AccessDenied"):
        w.run(*steps)
    assert w.state.get("cron-event") is not None  # the rule exists: it is recorded
    assert RULE in w.aws.events.rules


def test_a_subscription_is_recorded_even_when_its_permission_is_refused(w: World) -> None:
    fn, sub = subscription(w)
    w.deploy(fn)
    w.aws.log.refuse("lambda", "AddPermission", "AccessDeniedException")
    steps = w.round(fn, sub)
    with pytest.raises(Exception, match="AccessDenied"):
        w.run(*steps)
    [made] = w.aws.sns.subscriptions[TOPIC_ARN]
    recorded = w.state.get("snsfn-sns-subscription")
    assert recorded is not None and recorded["subscription_arn"] == made["SubscriptionArn"]
