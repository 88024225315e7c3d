"""Decisions of the EventBridge rule planner (chalice/deploy/resources/rules.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields, fn_arn

RULE = "demo-dev-cron-event"
RULE_ARN = f"arn:aws:events:us-west-2:123456789012:rule/{RULE}"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def schedule(w: World, expr: str = "rate(5 minutes)", desc: str = "every 5") -> tuple:  # type: ignore[type-arg]
    fn = w.function("cron")
    return fn, models.ScheduledEvent("cron-event", RULE, expr, desc, fn)


def test_create_rule_target_permission(w: World) -> None:
    fn, rule = schedule(w)
    steps = w.deploy(fn, rule)
    assert steps[1].action is Action.CREATE
    assert w.aws.events.rules[RULE]["ScheduleExpression"] == "rate(5 minutes)"
    assert w.aws.events.targets[RULE] == {"1": {"Id": "1", "Arn": fn_arn("demo-dev-cron")}}
    [perm] = w.aws.lambda_.policies["demo-dev-cron"]
    assert perm["Principal"] == {"Service": "events.amazonaws.com"}
    assert perm["Condition"]["ArnLike"]["AWS:SourceArn"] == RULE_ARN
    assert w.aws.events.tags[RULE]["chalice:resource"] == "cron-event"
    assert w.state.get("cron-event") == {
        "name": "cron-event",
        "resource_type": "cloudwatch_event",
        "rule_name": RULE,
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*schedule(w))
    w.quiet(*schedule(w))


def test_schedule_change_puts_the_rule_only(w: World) -> None:
    w.deploy(*schedule(w))
    w.aws.log.clear()
    steps = w.deploy(*schedule(w, "rate(1 hour)"))
    assert steps[1].action is Action.UPDATE and changed_fields(steps[1]) == {"schedule"}
    assert w.aws.log.ops(mutating=True) == ["events:PutRule"]
    assert "Tags" not in w.aws.log.of("PutRule")[0]  # an update leaves the tags alone


def test_missing_target_and_permission_are_restored(w: World) -> None:
    w.deploy(*schedule(w))
    w.aws.events.targets[RULE].clear()
    w.aws.lambda_.policies["demo-dev-cron"].clear()
    w.aws.log.clear()
    steps = w.deploy(*schedule(w))
    assert changed_fields(steps[1]) == {"target", "permission"}
    # Made together (neither waits for the other): any order.
    assert sorted(w.aws.log.ops(mutating=True)) == ["events:PutTargets", "lambda:AddPermission"]


def test_event_pattern_rule(w: World) -> None:
    fn = w.function("pattern")
    rule = models.CloudWatchEvent(
        "pattern-event", "demo-dev-pattern", '{"source": ["aws.ec2"]}', fn
    )
    w.deploy(fn, rule)
    assert w.aws.events.rules["demo-dev-pattern"]["EventPattern"] == '{"source": ["aws.ec2"]}'
    # The same pattern written differently is not a change (compared as JSON).
    w.quiet(
        fn,
        models.CloudWatchEvent("pattern-event", "demo-dev-pattern", '{"source":["aws.ec2"]}', fn),
    )


def test_rule_created_before_a_crash_is_adopted(w: World) -> None:
    w.deploy(*schedule(w))
    w.forget("cron-event")
    w.quiet(*schedule(w))
    assert w.state.get("cron-event") is not None


def test_delete_removes_targets_then_rule(w: World) -> None:
    w.deploy(*schedule(w))
    w.aws.log.clear()
    w.delete("cron-event")
    assert w.aws.log.ops(mutating=True) == ["events:RemoveTargets", "events:DeleteRule"]
    assert w.aws.events.rules == {}
