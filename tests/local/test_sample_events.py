"""Generated events and gateway-built requests have the shape of real AWS payloads.

The reference payloads are the real samples under ``tests/events/`` (see
its README for provenance).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chalice import Chalice
from chalice.local import sample_events as events
from chalice.local.gateway import LocalGateway
from chalice.local.settings import DefaultSettings

EVENTS = Path(__file__).resolve().parents[1] / "events"


def load(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def missing_keys(reference: Any, candidate: Any, prefix: str = "") -> list[str]:
    """Keys present in ``reference`` (recursively, first list item) but not in ``candidate``."""
    if isinstance(reference, dict) and isinstance(candidate, dict):
        missing = []
        for key, value in reference.items():
            if key not in candidate:
                missing.append(prefix + key)
            else:
                missing += missing_keys(value, candidate[key], f"{prefix}{key}.")
        return missing
    if isinstance(reference, list) and isinstance(candidate, list) and reference and candidate:
        return missing_keys(reference[0], candidate[0], prefix + "0.")
    return []


# Keys of the samples that carry the caller's own data (attributes, images).
_DATA_KEYS = ("MessageAttributes.", "dynamodb.NewImage", "dynamodb.OldImage", "dynamodb.Keys.")


@pytest.mark.parametrize(
    ("sample", "generated"),
    [
        ("sns/sam-Sns.json", events.sns_event("m", "s")),
        ("s3/sam-S3Put.json", events.s3_event("b", "k")),
        ("sqs/sam-Sqs.json", events.sqs_event(["body"])),
        ("kinesis/sam-Kinesis.json", events.kinesis_event([b"data"])),
        (
            "dynamodb/sam-DynamoDBUpdate.json",
            events.dynamodb_event([{"Keys": {"Id": {"N": "1"}}, "NewImage": {}}]),
        ),
        ("eventbridge/sam-ScheduledEvent.json", events.cloudwatch_event("s", "d", {}, [])),
        (
            "apigw-websocket/go-apigw-websocket-request-send-message.json",
            events.websocket_event(body="x"),
        ),
    ],
)
def test_generated_events_have_the_keys_of_real_ones(
    sample: str, generated: dict[str, Any]
) -> None:
    missing = [
        key
        for key in missing_keys(load(sample), generated)
        if not any(marker in key for marker in _DATA_KEYS)
    ]
    assert missing == []


def test_gateway_event_has_the_keys_of_a_real_proxy_event() -> None:
    app = Chalice(app_name="shape")
    captured: dict[str, Any] = {}

    @app.route("/{proxy}", methods=["POST"])
    def view(proxy):  # type: ignore[no-untyped-def]
        captured.update(app.current_request.to_original_event())
        return {}

    gateway = LocalGateway(app, DefaultSettings())
    gateway.handle_request("POST", "/thing?foo=bar", [("Content-Type", "application/json")], b"{}")
    reference = load("apigw-rest/sam-AwsProxy.json")
    # API Gateway-only details a local emulation cannot know.
    skip = ("requestContext.resourceId",)
    missing = [k for k in missing_keys(reference, captured) if k not in skip]
    # Header and stage-variable names are the caller's data, not the shape.
    missing = [
        k
        for k in missing
        if not k.startswith(("headers.", "multiValueHeaders.", "stageVariables."))
    ]
    assert missing == []
