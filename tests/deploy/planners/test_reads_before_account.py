"""A recorded resource's reads go out before its planner needs the account id.

On AWS the account id is a GetCallerIdentity round trip that starts with the
plan; a planner that builds an ARN from it before reading waits that round
trip first. The state already holds what the reads need (names, ids, the
topic's ARN), so each planner below reads first and builds account-derived
ARNs only after. The fake's ``arn`` is where the account id would be asked:
the test notes the position in the call log at which each service's ARN is
first built.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy.resources import planner_for_model
from tests.deploy.planners.kit import World
from tests.deploy.planners.test_apigateway import api
from tests.deploy.planners.test_eventsources import sqs
from tests.deploy.planners.test_serial_calls import schedule, subscription
from tests.fakeaws import FakeAWS


@pytest.fixture
def w(tmp_path: Path) -> World:
    world = World(tmp_path)
    world.aws.sns.create_topic("alerts")
    return world


@pytest.fixture
def first_arn(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """service -> how many calls were logged when an ARN of it was first built."""
    asked: dict[str, int] = {}
    original = FakeAWS.arn

    def arn(self: FakeAWS, service: str, resource: str, *, region: bool = True) -> str:
        asked.setdefault(service, len(self.log.calls))
        return original(self, service, resource, region=region)

    monkeypatch.setattr(FakeAWS, "arn", arn)
    return asked


def _redeploy_reads(w: World, first_arn: dict[str, int], *resources: Any) -> list[str]:
    """Deploy, then plan again; the calls of the last resource's planner alone.

    Its dependencies (the functions) are planned first, as the plan orders
    them; ``first_arn`` then counts from the last planner's first call.
    """
    w.deploy(*resources)
    *deps, last = resources
    w.round(*deps)
    w.aws.log.clear()
    first_arn.clear()
    planner_for_model(last).plan(last, w.state.get(last.resource_name), w.ctx)
    return w.aws.log.ops()


def _before(ops: list[str], op: str, first_arn: dict[str, int], service: str) -> None:
    assert op in ops
    assert ops.index(op) < first_arn.get(service, len(ops) + 1), (ops, first_arn)


def test_a_recorded_rule_is_read_before_its_arn_is_built(
    w: World, first_arn: dict[str, int]
) -> None:
    ops = _redeploy_reads(w, first_arn, *schedule(w))
    for op in ("events:DescribeRule", "events:ListTargetsByRule", "lambda:GetPolicy"):
        _before(ops, op, first_arn, "events")


def test_a_recorded_topic_needs_no_account_id(w: World, first_arn: dict[str, int]) -> None:
    ops = _redeploy_reads(w, first_arn, *subscription(w))
    assert "sns:ListSubscriptionsByTopic" in ops
    assert "sns" not in first_arn  # the recorded topic ARN is used


def test_a_recorded_mapping_is_read_before_the_queue_arn_is_built(
    w: World, first_arn: dict[str, int]
) -> None:
    ops = _redeploy_reads(w, first_arn, *sqs(w))
    _before(ops, "lambda:GetEventSourceMapping", first_arn, "sqs")


def test_a_recorded_rest_api_is_read_before_its_definition_is_built(
    w: World, first_arn: dict[str, int]
) -> None:
    # The definition names each function by an ARN built from the account id.
    ops = _redeploy_reads(w, first_arn, *api(w))
    for op in ("apigateway:GetRestApi", "apigateway:GetStage", "lambda:GetPolicy"):
        _before(ops, op, first_arn, "lambda")
        _before(ops, op, first_arn, "execute-api")
