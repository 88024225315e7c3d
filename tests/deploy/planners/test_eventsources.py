"""Decisions of the event source mapping planners (chalice/deploy/resources/eventsources.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chalice.deploy import models
from chalice.deploy.plan import Action
from tests.deploy.planners.kit import World, changed_fields, fn_arn

QUEUE_ARN = "arn:aws:sqs:us-west-2:123456789012:jobs"
STREAM_ARN = "arn:aws:kinesis:us-west-2:123456789012:stream/clicks"
TABLE_STREAM = "arn:aws:dynamodb:us-west-2:123456789012:table/t/stream/2024-01-01T00:00:00.000"


@pytest.fixture
def w(tmp_path: Path) -> World:
    return World(tmp_path)


def sqs(
    w: World, queue: str = "jobs", batch: int = 10, concurrency: int | None = None
) -> tuple[Any, ...]:
    fn = w.function("sqsfn")
    src = models.SQSEventSource("sqsfn-sqs-event-source", queue, None, batch, 0, concurrency, fn)
    return fn, src


def test_create_sqs_mapping(w: World) -> None:
    steps = w.deploy(*sqs(w))
    assert steps[1].action is Action.CREATE
    [mapping] = w.aws.lambda_.mappings.values()
    assert mapping["EventSourceArn"] == QUEUE_ARN and mapping["BatchSize"] == 10
    assert "StartingPosition" not in w.aws.log.of("CreateEventSourceMapping")[0]
    assert w.state.get("sqsfn-sqs-event-source") == {
        "name": "sqsfn-sqs-event-source",
        "resource_type": "sqs_event",
        "queue_arn": QUEUE_ARN,
        "event_uuid": mapping["UUID"],
        "queue": "jobs",
        "lambda_arn": fn_arn("demo-dev-sqsfn"),
    }


def test_unchanged_when_equal(w: World) -> None:
    w.deploy(*sqs(w))
    w.quiet(*sqs(w))


@pytest.mark.parametrize(
    ("kw", "field"),
    [({"batch": 5}, "BatchSize"), ({"concurrency": 4}, "ScalingConfig")],
)
def test_settings_change_updates_in_place(w: World, kw: dict[str, Any], field: str) -> None:
    w.deploy(*sqs(w))
    w.aws.log.clear()
    steps = w.deploy(*sqs(w, **kw))
    assert steps[1].action is Action.UPDATE and changed_fields(steps[1]) == {field}
    assert w.aws.log.ops(mutating=True) == ["lambda:UpdateEventSourceMapping"]
    w.quiet(*sqs(w, **kw))


def test_source_change_replaces_the_mapping(w: World) -> None:
    w.deploy(*sqs(w))
    [old] = list(w.aws.lambda_.mappings)
    w.aws.log.clear()
    steps = w.deploy(*sqs(w, queue="other"))
    assert steps[1].action is Action.UPDATE and changed_fields(steps[1]) == {"source"}
    assert w.aws.log.ops(mutating=True) == [
        "lambda:DeleteEventSourceMapping",
        "lambda:CreateEventSourceMapping",
    ]
    assert old not in w.aws.lambda_.mappings


def test_mapping_made_before_a_crash_is_adopted(w: World) -> None:
    w.deploy(*sqs(w))
    w.forget("sqsfn-sqs-event-source")
    w.quiet(*sqs(w))


def test_kinesis_and_dynamodb_send_a_starting_position(w: World) -> None:
    kfn, dfn = w.function("kinfn"), w.function("ddbfn")
    kin = models.KinesisEventSource("kinfn-kinesis-event-source", "clicks", 100, "LATEST", 0, kfn)
    ddb = models.DynamoDBEventSource(
        "ddbfn-dynamodb-event-source", TABLE_STREAM, 100, "TRIM_HORIZON", 0, dfn
    )
    w.deploy(kfn, kin, dfn, ddb)
    sent = w.aws.log.of("CreateEventSourceMapping")
    assert [(p["EventSourceArn"], p["StartingPosition"]) for p in sent] == [
        (STREAM_ARN, "LATEST"),
        (TABLE_STREAM, "TRIM_HORIZON"),
    ]
    assert w.state.get("kinfn-kinesis-event-source")["stream"] == "clicks"  # type: ignore[index]
    w.quiet(kfn, kin, dfn, ddb)


def test_delete(w: World) -> None:
    w.deploy(*sqs(w))
    w.aws.log.clear()
    w.delete("sqsfn-sqs-event-source")
    assert w.aws.log.ops(mutating=True) == ["lambda:DeleteEventSourceMapping"]
    assert w.aws.lambda_.mappings == {}
