"""Builders of sample Lambda event payloads for tests (``client.events``).

Each function returns a plain dict shaped like what the AWS service sends
to a Lambda function, filled with the caller's data and fixed, obviously
fake identifiers. Pure functions: no clock except for timestamps, no I/O.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from typing import Any

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-west-2"


def _iso_now() -> str:
    now = time.time()
    millis = int(now * 1000) % 1000
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{millis:03d}Z"


def sns_event(
    message: str,
    subject: str = "",
    message_attributes: dict[str, Any] | None = None,
    *,
    topic: str = "mytopic",
) -> dict[str, Any]:
    """One SNS notification record."""
    if message_attributes is None:
        message_attributes = {"AttributeKey": {"Type": "String", "Value": "AttributeValue"}}
    topic_arn = f"arn:aws:sns:{DEFAULT_REGION}:{ACCOUNT_ID}:{topic}"
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:{uuid.uuid4()}",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": str(uuid.uuid4()),
                    "TopicArn": topic_arn,
                    "Subject": subject,
                    "Message": message,
                    "Timestamp": _iso_now(),
                    "SignatureVersion": "1",
                    "Signature": "local-signature",
                    "SigningCertUrl": "https://sns.example.invalid/cert.pem",
                    "UnsubscribeUrl": "https://sns.example.invalid/unsubscribe",
                    "MessageAttributes": message_attributes,
                },
            }
        ]
    }


def s3_event(bucket: str, key: str, event_name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """One S3 notification record, with ``key`` exactly as given.

    Real S3 notifications URL-encode the key (a space arrives as ``+``);
    upstream's generator passes it through untouched and tests written
    against it compare the key they passed in, so we do the same. Give an
    already-encoded key to exercise the decoding in your handler.
    """
    return {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "awsRegion": DEFAULT_REGION,
                "eventTime": _iso_now(),
                "eventName": event_name,
                "userIdentity": {"principalId": "AWS:LOCALPRINCIPAL"},
                "requestParameters": {"sourceIPAddress": "127.0.0.1"},
                "responseElements": {
                    "x-amz-request-id": "LOCALREQUEST0001",
                    "x-amz-id-2": "local/request/id",
                },
                "s3": {
                    "s3SchemaVersion": "1.0",
                    "configurationId": "local-notification",
                    "bucket": {
                        "name": bucket,
                        "ownerIdentity": {"principalId": "LOCALOWNER"},
                        "arn": f"arn:aws:s3:::{bucket}",
                    },
                    "object": {
                        "key": key,
                        "size": 0,
                        "eTag": "d41d8cd98f00b204e9800998ecf8427e",
                        "sequencer": "0000000000000000",
                    },
                },
            }
        ]
    }


def sqs_event(message_bodies: list[str], queue_name: str = "queue-name") -> dict[str, Any]:
    """One SQS record per message body."""
    queue_arn = f"arn:aws:sqs:{DEFAULT_REGION}:{ACCOUNT_ID}:{queue_name}"
    sent = str(int(time.time() * 1000))
    return {
        "Records": [
            {
                "messageId": str(uuid.uuid4()),
                "receiptHandle": f"local-receipt-handle-{index}",
                "body": body,
                "attributes": {
                    "ApproximateReceiveCount": "1",
                    "SentTimestamp": sent,
                    "SenderId": ACCOUNT_ID,
                    "ApproximateFirstReceiveTimestamp": sent,
                },
                "messageAttributes": {},
                "md5OfBody": hashlib.md5(body.encode("utf-8")).hexdigest(),
                "eventSource": "aws:sqs",
                "eventSourceARN": queue_arn,
                "awsRegion": DEFAULT_REGION,
            }
            for index, body in enumerate(message_bodies)
        ]
    }


def cloudwatch_event(
    source: str,
    detail_type: str,
    detail: dict[str, Any],
    resources: list[str],
    region: str = DEFAULT_REGION,
) -> dict[str, Any]:
    """An EventBridge (CloudWatch Events) event."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": ACCOUNT_ID,
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


def kinesis_event(message_bodies: list[bytes], stream_name: str = "stream-name") -> dict[str, Any]:
    """One Kinesis record per payload; ``data`` is base64 as Kinesis sends it."""
    stream_arn = f"arn:aws:kinesis:{DEFAULT_REGION}:{ACCOUNT_ID}:stream/{stream_name}"
    arrival = time.time()
    records = []
    for index, body in enumerate(message_bodies):
        sequence = f"{49590338271490256608559692538361571095921575989136588898 + index}"
        records.append(
            {
                "kinesis": {
                    "kinesisSchemaVersion": "1.0",
                    "partitionKey": f"partition-{index}",
                    "sequenceNumber": sequence,
                    "data": base64.b64encode(body).decode("ascii"),
                    "approximateArrivalTimestamp": arrival,
                },
                "eventSource": "aws:kinesis",
                "eventVersion": "1.0",
                "eventID": f"shardId-000000000000:{sequence}",
                "eventName": "aws:kinesis:record",
                "invokeIdentityArn": f"arn:aws:iam::{ACCOUNT_ID}:role/local-role",
                "awsRegion": DEFAULT_REGION,
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": records}


def dynamodb_event(
    records: list[dict[str, Any]],
    table_name: str = "table-name",
    event_name: str = "INSERT",
) -> dict[str, Any]:
    """One DynamoDB stream record per entry of ``records`` (an extension).

    Each entry holds the stream data in DynamoDB's typed JSON, e.g.
    ``{"Keys": {"id": {"S": "1"}}, "NewImage": {...}}``; an entry may carry
    its own ``eventName`` (``INSERT``/``MODIFY``/``REMOVE``).
    """
    stream_arn = (
        f"arn:aws:dynamodb:{DEFAULT_REGION}:{ACCOUNT_ID}:table/{table_name}"
        "/stream/2024-01-01T00:00:00.000"
    )
    out = []
    for index, record in enumerate(records):
        data = {k: v for k, v in record.items() if k != "eventName"}
        data.setdefault("Keys", {})
        data.setdefault("ApproximateCreationDateTime", int(time.time()))
        data.setdefault("SequenceNumber", f"{100000000000000000000 + index}")
        data.setdefault("SizeBytes", 0)
        data.setdefault("StreamViewType", "NEW_AND_OLD_IMAGES")
        out.append(
            {
                "eventID": uuid.uuid4().hex,
                "eventName": record.get("eventName", event_name),
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": DEFAULT_REGION,
                "dynamodb": data,
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": out}


def websocket_event(
    route_key: str = "$default",
    body: str | None = None,
    connection_id: str = "local-connection-id",
    *,
    domain_name: str = "localhost",
    stage: str = "api",
) -> dict[str, Any]:
    """An API Gateway websocket event for ``$connect``/``$default``/``$disconnect`` (an extension)."""
    event_type = {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route_key, "MESSAGE")
    now = time.time()
    context: dict[str, Any] = {
        "routeKey": route_key,
        "eventType": event_type,
        "extendedRequestId": str(uuid.uuid4()),
        "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "messageDirection": "IN",
        "stage": stage,
        "connectedAt": int(now * 1000),
        "requestTimeEpoch": int(now * 1000),
        "identity": {"sourceIp": "127.0.0.1", "userAgent": "chalice-test-client"},
        "requestId": str(uuid.uuid4()),
        "domainName": domain_name,
        "connectionId": connection_id,
        "apiId": "ymy8tbxw7b",
    }
    if event_type == "MESSAGE":
        context["messageId"] = uuid.uuid4().hex[:16]
    event: dict[str, Any] = {"requestContext": context, "isBase64Encoded": False}
    if body is not None:
        event["body"] = body
    return event


def http_api_event(
    method: str = "GET",
    path: str = "/",
    *,
    query_string: str = "",
    headers: dict[str, str] | None = None,
    body: str | bytes | None = None,
    route_key: str = "$default",
    path_parameters: dict[str, str] | None = None,
    stage: str = "$default",
) -> dict[str, Any]:
    """An HTTP API (or function URL) event, payload format 2.0 (an extension).

    ``route_key`` is ``"$default"`` (the app matches ``path`` itself, as for
    a function URL) or ``"GET /users/{id}"`` with ``path_parameters``. A
    ``cookie`` header becomes the ``cookies`` list; a ``bytes`` body is
    base64-encoded, a ``str`` body is sent as text.
    """
    from chalice.local import httpapi

    data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    return httpapi.build_event(
        method=method.upper(),
        path=path,
        query=query_string.lstrip("?"),
        headers={k.lower(): [v] for k, v in (headers or {}).items()},
        body=data,
        binary=isinstance(body, bytes),
        route_key=route_key,
        path_params=path_parameters,
        stage=stage,
        source_ip="127.0.0.1",
        now=time.time(),
    )
