"""Rule deletion against moto: two calls when we know our target, correct when not.

EventBridge refuses DeleteRule while the rule has targets (ValidationException,
"Rule can't be deleted since it has targets.", see "Deleting rules" in
https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html:
"you must remove all targets ... before you can delete the rule"); moto
enforces the same. RemoveTargets of an id the rule lacks is no error.
"""

from __future__ import annotations

import pytest

from chalice.aws.session import AWSClients
from tests.aws.counting import Counting, counted_clients

TARGET = "arn:aws:lambda:us-west-2:123456789012:function:target"


@pytest.fixture
def counted(aws_env: str) -> tuple[Counting, AWSClients]:
    return counted_clients("events")


@pytest.fixture
def counting(counted: tuple[Counting, AWSClients]) -> Counting:
    return counted[0]


@pytest.fixture
def clients(counted: tuple[Counting, AWSClients]) -> AWSClients:
    return counted[1]


def _rule(clients: AWSClients, name: str) -> None:
    clients.events.put_rule(name, schedule_expression="rate(5 minutes)")
    clients.events.put_target(name, target_id="1", arn=TARGET)


def test_known_target_costs_two_serial_calls(counting: Counting, clients: AWSClients) -> None:
    _rule(clients, "del-fast")
    counting.ops.clear()
    assert clients.events.delete_rule("del-fast", target_ids=["1"]) is True
    assert counting.ops == ["RemoveTargets", "DeleteRule"]
    assert clients.events.describe_rule("del-fast") is None


def test_a_target_added_by_hand_is_listed_and_removed(
    counting: Counting, clients: AWSClients
) -> None:
    _rule(clients, "del-extra")
    clients.events.put_target("del-extra", target_id="by-hand", arn=TARGET)
    counting.ops.clear()
    assert clients.events.delete_rule("del-extra", target_ids=["1"]) is True
    assert counting.ops == [
        "RemoveTargets",
        "DeleteRule",  # refused: a target remains
        "ListTargetsByRule",
        "RemoveTargets",
        "DeleteRule",
    ]
    assert clients.events.describe_rule("del-extra") is None


def test_our_target_already_gone_is_no_error(clients: AWSClients) -> None:
    clients.events.put_rule("del-bare", schedule_expression="rate(5 minutes)")
    assert clients.events.delete_rule("del-bare", target_ids=["1"]) is True


def test_a_gone_rule_is_no_error(clients: AWSClients) -> None:
    # RemoveTargets answers ResourceNotFound (taken as done); DeleteRule of a
    # missing rule either succeeds or says ResourceNotFound: both are "gone".
    clients.events.delete_rule("never-made", target_ids=["1"])
    assert clients.events.describe_rule("never-made") is None
