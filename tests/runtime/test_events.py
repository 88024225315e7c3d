"""Event classes and event-source handlers, driven by real Lambda payloads."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from chalice import Chalice, Rate
from chalice.app import (
    CloudWatchEvent,
    DynamoDBEvent,
    KinesisEvent,
    MalformedEventError,
    S3Event,
    SNSEvent,
    SQSEvent,
)
from tests.runtime.conftest import load_event


@pytest.fixture
def app() -> Chalice:
    return Chalice("events", configure_logs=False)


def test_sqs_handler(app: Chalice) -> None:
    @app.on_sqs_message(queue="q", batch_size=5)
    def handler(event: SQSEvent) -> list[tuple[str, str]]:
        return [(r.body, r.receipt_handle) for r in event]

    event = load_event("sqs/powertools-sqsEvent.json")
    result = app.handler_map["handler"](event, "ctx")
    assert [body for body, _ in result] == [r["body"] for r in event["Records"]]
    assert handler is app.handler_map["handler"]


@pytest.mark.parametrize(
    "name",
    [
        "sam-Sqs.json",
        "go-sqs-event.json",
        "powertools-snsSqsEvent.json",
        "powertools-snsSqsFifoEvent.json",
        "powertools-s3SqsEvent.json",
        "powertools-sqsDlqTriggerEvent.json",
    ],
)
def test_sqs_real_events(name: str) -> None:
    event = load_event(f"sqs/{name}")
    records = list(SQSEvent(event, None))
    assert len(records) == len(event["Records"])
    assert records[0].to_dict() is event["Records"][0]


@pytest.mark.parametrize(
    "name", ["sam-Sns.json", "sam-Sns-unicode.json", "powertools-snsEvent.json"]
)
def test_sns_real_events(name: str) -> None:
    event = load_event(f"sns/{name}")
    sns = SNSEvent(event, "ctx")
    assert sns.message == event["Records"][0]["Sns"]["Message"]
    assert sns.subject == event["Records"][0]["Sns"].get("Subject")
    assert isinstance(sns.message_attributes, dict)
    assert sns.context == "ctx" and sns.to_dict() is event


@pytest.mark.parametrize(
    "name,key",
    [
        ("sam-S3Put.json", "test/key"),
        ("go-s3-event.json", "Happy Face.jpg"),
        ("go-s3-restore-event.json", "glacier-test.txt"),
        ("sam-S3Put-unicode-key.json", "reports/año=2024/résumé(final).pdf"),
        ("sam-S3Delete-plus-in-key.json", "backups/db+logs/2024-01-01.tar.gz"),
    ],
)
def test_s3_key_is_url_decoded(name: str, key: str) -> None:
    event = load_event(f"s3/{name}")
    s3 = S3Event(event, None)
    assert s3.key == key
    assert s3.bucket == event["Records"][0]["s3"]["bucket"]["name"]


def test_s3_handler_registration(app: Chalice) -> None:
    @app.on_s3_event(bucket="b", prefix="in/", suffix=".jpg")
    def handler(event: S3Event) -> str:
        return event.key

    config = app.event_sources[0]
    assert (config.bucket, config.events, config.prefix, config.suffix) == (
        "b",
        ["s3:ObjectCreated:*"],
        "in/",
        ".jpg",
    )
    assert handler(load_event("s3/powertools-s3Event.json"), None)


@pytest.mark.parametrize("name", ["sam-Kinesis.json", "powertools-kinesisStreamEvent.json"])
def test_kinesis_records(name: str) -> None:
    event = load_event(f"kinesis/{name}")
    records = list(KinesisEvent(event, None))
    assert len(records) == len(event["Records"])
    first = records[0]
    raw = event["Records"][0]["kinesis"]
    assert first.sequence_number == raw["sequenceNumber"]
    assert first.partition_key == raw["partitionKey"]
    assert isinstance(first.data, bytes)
    expected = datetime.datetime.fromtimestamp(
        raw["approximateArrivalTimestamp"], datetime.timezone.utc
    ).replace(tzinfo=None)
    assert first.timestamp == expected


@pytest.mark.parametrize(
    "name",
    ["go-dynamodb-event.json", "powertools-dynamoStreamEvent.json", "sam-DynamoDBUpdate.json"],
)
def test_dynamodb_records(name: str) -> None:
    event = load_event(f"dynamodb/{name}")
    records = list(DynamoDBEvent(event, None))
    assert len(records) == len(event["Records"])
    for record, raw in zip(records, event["Records"], strict=True):
        assert record.keys == raw["dynamodb"].get("Keys")
        assert record.new_image == raw["dynamodb"].get("NewImage")
        assert record.old_image == raw["dynamodb"].get("OldImage")
        assert record.event_name == raw["eventName"]
        if "ApproximateCreationDateTime" in raw["dynamodb"]:
            assert isinstance(record.timestamp, datetime.datetime)
        if raw["eventSourceARN"].startswith("arn:"):
            assert record.table_name and record.table_name in raw["eventSourceARN"]
        else:  # powertools uses a placeholder, not an ARN
            assert record.table_name is None


@pytest.mark.parametrize(
    "name",
    [
        "sam-ScheduledEvent.json",
        "powertools-eventBridgeEvent.json",
        "go-codebuild-state-change.json",
        "dotnet-scheduled-event.json",
    ],
)
def test_cloudwatch_event(name: str) -> None:
    event = load_event(f"eventbridge/{name}")
    cw = CloudWatchEvent(event, None)
    assert cw.detail_type == event["detail-type"]
    assert cw.event_id == event["id"]
    assert cw.source == event["source"]
    assert cw.detail == event["detail"]
    assert cw.resources == event.get("resources", [])


def test_schedule_and_cw_handlers(app: Chalice) -> None:
    @app.schedule(Rate(1, unit=Rate.HOURS), description="hourly")
    def tick(event: CloudWatchEvent) -> Any:
        return event.detail_type

    @app.on_cw_event({"source": ["aws.codebuild"]}, name="builds")
    def on_build(event: CloudWatchEvent) -> Any:
        return event.source

    schedule, cw = app.event_sources
    assert schedule.schedule_expression.to_string() == "rate(1 hour)"
    assert schedule.description == "hourly"
    assert cw.name == "builds" and cw.event_pattern == {"source": ["aws.codebuild"]}
    assert tick(load_event("eventbridge/sam-ScheduledEvent.json"), None) == "Scheduled Event"
    assert (
        app.handler_map["builds"](load_event("eventbridge/go-codebuild-state-change.json"), None)
        == "aws.codebuild"
    )


def test_pure_lambda(app: Chalice) -> None:
    @app.lambda_function(name="custom")
    def pure(event: dict[str, Any], context: Any) -> Any:
        return {"event": event, "context": context}

    assert pure({"a": 1}, "ctx") == {"event": {"a": 1}, "context": "ctx"}
    assert app.pure_lambda_functions[0].name == "custom"
    assert app.pure_lambda_functions[0].handler_string == "app.pure"
    assert app.handler_map["custom"] is pure


@pytest.mark.parametrize(
    "cls,event",
    [
        (SQSEvent, {}),
        (SQSEvent, {"Records": "x"}),
        (SNSEvent, {"Records": []}),
        (SNSEvent, {"Records": [{"Sns": {}}]}),
        (S3Event, {"Records": [{"s3": {}}]}),
        (KinesisEvent, {"Records": None}),
        (DynamoDBEvent, {}),
        (CloudWatchEvent, []),
    ],
)
def test_malformed_events_raise_documented_error(cls: type, event: Any) -> None:
    with pytest.raises(MalformedEventError):
        obj = cls(event, None)
        list(obj)


def test_malformed_record_in_batch() -> None:
    with pytest.raises(MalformedEventError, match="SQS record"):
        list(SQSEvent({"Records": [{}]}, None))
