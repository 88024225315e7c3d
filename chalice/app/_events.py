"""Event objects handed to event-source handlers (S3, SNS, SQS, Kinesis, ...).

Each wraps the raw Lambda event; ``to_dict()`` returns it unchanged and
``context`` is the Lambda context. Required fields are read when the object
is built so a malformed event fails with ``MalformedEventError`` naming the
missing key; costly conversions (base64, datetimes, URL-decoding) happen on
first access. Standard library only; ``binascii``, ``datetime`` and
``urllib.parse`` are imported only when a field needs them.
"""

from __future__ import annotations

from chalice.app._errors import MalformedEventError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime
    from typing import Any


def _first_record(event: dict[str, Any], kind: str) -> dict[str, Any]:
    try:
        record: dict[str, Any] = event["Records"][0]
    except (KeyError, IndexError, TypeError):
        raise MalformedEventError(f"{kind} event has no Records[0]") from None
    return record


def _records(event: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        raise MalformedEventError(f"{kind} event has no Records list")
    return records


def _utc_datetime(seconds: float) -> datetime:
    # Naive UTC, like upstream's utcfromtimestamp (deprecated since 3.12).
    from datetime import datetime, timezone

    return datetime.fromtimestamp(seconds, timezone.utc).replace(tzinfo=None)


class BaseLambdaEvent:
    """Common part of every event object: the raw dict and the context."""

    __slots__ = ("_event_dict", "context")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        self._extract_attributes(event_dict)

    def _extract_attributes(self, event_dict: dict[str, Any]) -> None:
        """Read the fields of the event (subclasses may override this hook;
        the built-in ones set everything in ``__init__`` to save a call)."""

    def to_dict(self) -> dict[str, Any]:
        """The raw Lambda event."""
        return self._event_dict


class LambdaFunctionEvent(BaseLambdaEvent):
    """What middleware sees for an ``@app.lambda_function`` call: ``.event``, ``.context``."""

    __slots__ = ("event",)

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        self.event = event_dict


class CloudWatchEvent(BaseLambdaEvent):
    """An EventBridge (CloudWatch Events) event, also used for ``@app.schedule``."""

    __slots__ = (
        "version",
        "account",
        "region",
        "detail",
        "detail_type",
        "source",
        "time",
        "event_id",
        "resources",
    )

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        if not isinstance(event_dict, dict):
            raise MalformedEventError("CloudWatch event must be a JSON object")
        get = event_dict.get
        self.version: str | None = get("version")
        self.account: str | None = get("account")
        self.region: str | None = get("region")
        self.detail: Any = get("detail")
        self.detail_type: str | None = get("detail-type")
        self.source: str | None = get("source")
        self.time: str | None = get("time")
        self.event_id: str | None = get("id")
        self.resources: list[str] = get("resources") or []


class S3Event(BaseLambdaEvent):
    """An S3 notification: the first record's ``bucket`` and URL-decoded ``key``."""

    __slots__ = ("bucket", "_key")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        record = _first_record(event_dict, "S3")
        try:
            s3 = record["s3"]
            self.bucket: str = s3["bucket"]["name"]
            self._key: str = s3["object"]["key"]
        except (KeyError, TypeError):
            raise MalformedEventError(
                "S3 event record lacks s3.bucket.name/s3.object.key"
            ) from None

    @property
    def key(self) -> str:
        """The object key, URL-decoded (``+`` is a space, as S3 encodes it)."""
        key = self._key
        if "%" in key or "+" in key:
            from urllib.parse import unquote_plus

            key = unquote_plus(key)
        return key


class SNSEvent(BaseLambdaEvent):
    """An SNS delivery: the first record's ``message``, ``subject``, attributes."""

    __slots__ = ("message", "subject", "message_attributes")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        record = _first_record(event_dict, "SNS")
        sns = record.get("Sns") if isinstance(record, dict) else None
        if not isinstance(sns, dict) or "Message" not in sns:
            raise MalformedEventError("SNS event record lacks Sns.Message")
        self.message: str = sns["Message"]
        self.subject: str | None = sns.get("Subject")
        self.message_attributes: dict[str, Any] = sns.get("MessageAttributes") or {}


class SQSRecord(BaseLambdaEvent):
    """One SQS message: ``body`` and ``receipt_handle``."""

    __slots__ = ("body", "receipt_handle")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        try:
            self.body: str = event_dict["body"]
            self.receipt_handle: str = event_dict["receiptHandle"]
        except (KeyError, TypeError):
            raise MalformedEventError("SQS record lacks body/receiptHandle") from None


class SQSEvent(BaseLambdaEvent):
    """A batch of SQS messages; iterate it for ``SQSRecord`` objects."""

    __slots__ = ()

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        _records(event_dict, "SQS")

    def __iter__(self) -> Iterator[SQSRecord]:
        context = self.context
        for record in self._event_dict["Records"]:
            yield SQSRecord(record, context)


class KinesisRecord(BaseLambdaEvent):
    """One Kinesis record; ``data`` is the decoded payload bytes."""

    __slots__ = ("sequence_number", "partition_key", "schema_version", "_data", "_arrival")

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        try:
            kinesis = event_dict["kinesis"]
            self._data: str = kinesis["data"]
            self.sequence_number: str = kinesis["sequenceNumber"]
            self.partition_key: str = kinesis["partitionKey"]
        except (KeyError, TypeError):
            raise MalformedEventError(
                "Kinesis record lacks kinesis.data/sequenceNumber/partitionKey"
            ) from None
        self.schema_version: str | None = kinesis.get("kinesisSchemaVersion")
        self._arrival: float | None = kinesis.get("approximateArrivalTimestamp")

    @property
    def data(self) -> bytes:
        """The record payload (base64-decoded)."""
        from binascii import a2b_base64

        return a2b_base64(self._data)

    @property
    def timestamp(self) -> datetime | None:
        """Approximate arrival time (naive UTC datetime)."""
        return None if self._arrival is None else _utc_datetime(self._arrival)


class KinesisEvent(BaseLambdaEvent):
    """A batch of Kinesis records; iterate it for ``KinesisRecord`` objects."""

    __slots__ = ()

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        _records(event_dict, "Kinesis")

    def __iter__(self) -> Iterator[KinesisRecord]:
        context = self.context
        for record in self._event_dict["Records"]:
            yield KinesisRecord(record, context)


class DynamoDBRecord(BaseLambdaEvent):
    """One DynamoDB stream record (keys, images, metadata)."""

    __slots__ = (
        "_created",
        "keys",
        "new_image",
        "old_image",
        "sequence_number",
        "size_bytes",
        "stream_view_type",
        "aws_region",
        "event_id",
        "event_name",
        "event_source_arn",
    )

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        dynamodb = event_dict.get("dynamodb") if isinstance(event_dict, dict) else None
        if not isinstance(dynamodb, dict):
            raise MalformedEventError("DynamoDB record lacks the dynamodb section")
        self._created: float | None = dynamodb.get("ApproximateCreationDateTime")
        self.keys: dict[str, Any] | None = dynamodb.get("Keys")
        self.new_image: dict[str, Any] | None = dynamodb.get("NewImage")
        self.old_image: dict[str, Any] | None = dynamodb.get("OldImage")
        self.sequence_number: str | None = dynamodb.get("SequenceNumber")
        self.size_bytes: int | None = dynamodb.get("SizeBytes")
        self.stream_view_type: str | None = dynamodb.get("StreamViewType")
        self.aws_region: str | None = event_dict.get("awsRegion")
        self.event_id: str | None = event_dict.get("eventID")
        self.event_name: str | None = event_dict.get("eventName")
        self.event_source_arn: str | None = event_dict.get("eventSourceARN")

    @property
    def timestamp(self) -> datetime | None:
        """When the change was made (naive UTC datetime)."""
        return None if self._created is None else _utc_datetime(self._created)

    @property
    def table_name(self) -> str | None:
        """The table name, parsed from ``event_source_arn``."""
        arn = self.event_source_arn
        if not arn:
            return None
        parts = arn.split(":", 5)
        if len(parts) < 6 or "/" not in parts[5]:
            return None
        return parts[5].split("/")[1]


class DynamoDBEvent(BaseLambdaEvent):
    """A batch of DynamoDB stream records; iterate it for ``DynamoDBRecord`` objects."""

    __slots__ = ()

    def __init__(self, event_dict: dict[str, Any], context: Any) -> None:
        self._event_dict = event_dict
        self.context = context
        _records(event_dict, "DynamoDB")

    def __iter__(self) -> Iterator[DynamoDBRecord]:
        context = self.context
        for record in self._event_dict["Records"]:
            yield DynamoDBRecord(record, context)
